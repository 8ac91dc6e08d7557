package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.worker.WatchdogSettings;
import dev.cerebrum.engine.worker.WorkerModel;
import dev.cerebrum.engine.worker.testing.Events;
import dev.cerebrum.engine.worker.testing.Processes;
import dev.cerebrum.gguf.GgmlType;
import dev.cerebrum.gguf.ModelShape;
import dev.cerebrum.gguf.RandomModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watchdog with the real native library, on a random-weight model large enough to be slow here:
 * 8 blocks of 768, Q8_0, 57 MB; about 250 tokens/s to generate and 3 s for a 1,800-token prompt at
 * one thread.
 */
class WorkerWatchdogIT {
    /** About 1,820 tokens: seconds of prompt processing, during which the binding reports nothing. */
    private static final String LONG_PROMPT = "a b c d e f g ".repeat(130);

    @TempDir
    static Path models;
    private static Path randomModel;
    @TempDir
    Path workDir;
    private final List<InferenceEngine> engines = new ArrayList<>();

    @BeforeAll
    static void writeModel() {
        randomModel = models.resolve("random.gguf");
        RandomModel.write(randomModel, new ModelShape(8, 768, 2048, 8, 4, 1000, 2048), GgmlType.Q8_0, 1);
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(InferenceEngine::close);
    }

    private InferenceEngine engine(Map<String, String> properties) {
        InferenceEngine engine = InferenceEngines.create("llamacpp", new EngineOptions(workDir, properties));
        engines.add(engine);
        return engine;
    }

    private static ModelSpec spec() {
        return ModelSpec.of("random", randomModel, 2048, 1, 1);
    }

    @Test
    void frozenWorkerMidStream_endsWithAnErrorWithinTheDocumentedBound_andTheModelLoadsAgain() throws Exception {
        // The defaults: a ping every second, 5 s to answer; found at the next check, so within 7 s.
        InferenceEngine engine = engine(Map.of());
        WorkerModel model = (WorkerModel) engine.load(spec());
        Generation running = model.generate(GenerationRequest.builder("a").greedy().maxTokens(1500).ignoreEos(true)
                .build());
        assertInstanceOf(GenerationEvent.Token.class, Events.next(running));
        long pid = model.pid();
        long start = System.nanoTime();

        Processes.signal("STOP", pid);

        GenerationEvent.Finished finished = Events.readAll(running).finished;
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("a frozen worker's stream ended %d ms after SIGSTOP%n", millis);
        assertEquals(FinishReason.ERROR, finished.reason());
        assertEquals("model worker for 'random' stopped responding and was killed; the next request loads the model"
                + " again", finished.error());
        assertTrue(millis >= 4_000 && millis <= 9_000, "ended " + millis + " ms after SIGSTOP");
        assertFalse(model.isAlive());
        Processes.awaitGone(pid, Duration.ofSeconds(5));

        LoadedModel again = engine.load(spec());
        Events events = Events.readAll(again.generate(GenerationRequest.builder("a").greedy().maxTokens(8).build()));
        assertNotEquals(FinishReason.ERROR, events.finished.reason());
    }

    @Test
    void longPromptThatProgresses_isNotKilled_becauseTheWorkerStillAnswersPings() throws Exception {
        // Pings every 0.2 s with 0.8 s to answer: the prompt takes several times that bound.
        WorkerModel model = (WorkerModel) engine(Map.of(WatchdogSettings.PING_INTERVAL, "PT0.2S",
                WatchdogSettings.PING_TIMEOUT, "PT0.8S")).load(spec());
        long pid = model.pid();
        long start = System.nanoTime();

        Events events = Events.readAll(model.generate(GenerationRequest.builder(LONG_PROMPT).greedy().maxTokens(4)
                .ignoreEos(true).build()));

        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("a %d-token prompt and 4 tokens took %d ms%n", model.countTokens(LONG_PROMPT), millis);
        assertTrue(millis > 2_000, "the prompt took " + millis + " ms, not beyond twice the ping bound: the test"
                + " shows nothing; make the prompt longer");
        assertEquals(FinishReason.LENGTH, events.finished.reason(), String.valueOf(events.finished.error()));
        assertEquals(4, events.finished.completionTokens());
        assertTrue(model.isAlive());
        assertEquals(pid, model.pid());
    }

    @Test
    void promptSilentBeyondTheStallBound_isKilled() throws Exception {
        // The binding reports nothing while it processes a prompt: with no allowance per prompt token, a
        // 1 s stall bound is shorter than this prompt, so the watchdog takes the worker for hung.
        WorkerModel model = (WorkerModel) engine(Map.of(WatchdogSettings.STALL_TIMEOUT, "PT1S",
                WatchdogSettings.STALL_PER_PROMPT_TOKEN, "PT0S")).load(spec());
        long pid = model.pid();
        long start = System.nanoTime();

        Events events = Events.readAll(model.generate(GenerationRequest.builder(LONG_PROMPT).greedy().maxTokens(4)
                .build()));

        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("a stalled generation ended %d ms after it was sent%n", millis);
        assertEquals(FinishReason.ERROR, events.finished.reason());
        assertTrue(events.finished.error().startsWith("model worker for 'random' made no progress for "),
                events.finished.error());
        assertTrue(millis >= 1_000 && millis < 5_000, "ended after " + millis + " ms");
        assertFalse(model.isAlive());
        Processes.awaitGone(pid, Duration.ofSeconds(5));
    }
}
