package dev.cerebrum.engine.ffm;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ffm engine's prompt processing in chunks, through the SPI and a worker, on a random-weight model large
 * enough to be slow here (8 blocks of 768, Q8_0, 57 MB; seconds for a 1,800-token prompt at one thread): a cancel
 * takes effect within a chunk of the prompt, and every chunk is progress for the watchdog.
 */
class FfmEngineIT {
    /** About 1,820 tokens. */
    private static final String LONG_PROMPT = "a b c d e f g ".repeat(130);
    /** The prefill chunk (the spec's batch size): about 28 chunks for the long prompt. */
    private static final int CHUNK = 64;

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

    private LoadedModel load(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(FfmSuites.properties());
        all.putAll(properties);
        InferenceEngine engine = InferenceEngines.create(FfmEngineProvider.NAME, new EngineOptions(workDir, all));
        engines.add(engine);
        return engine.load(new ModelSpec("random", randomModel, 2048, 1, 1, 1, CHUNK, 0));
    }

    private static GenerationRequest longPrompt(int tokens) {
        return longPrompt("", tokens);
    }

    /** The long prompt after {@code start}: another start shares no prefix with it, so nothing is reused. */
    private static GenerationRequest longPrompt(String start, int tokens) {
        return GenerationRequest.builder(start + LONG_PROMPT).greedy().maxTokens(tokens).ignoreEos(true).build();
    }

    @Test
    void cancelDuringALongPrompt_endsWithinAChunk_andFreesTheSlot() throws Exception {
        // given the time the whole prompt takes, and so the time of one chunk
        LoadedModel model = load(Map.of());
        int promptTokens = model.countTokens(LONG_PROMPT);
        long start = System.nanoTime();
        Events full = Events.readAll(model.generate(longPrompt(1)));
        double promptMillis = (System.nanoTime() - start) / 1e6;
        double chunkMillis = promptMillis * CHUNK / promptTokens;
        assertEquals(FinishReason.LENGTH, full.finished.reason());

        // when a prompt as long is cancelled a third of the way in (another first word: no prefix is reused)
        Generation generation = model.generate(longPrompt("g ", 1));
        Thread.sleep((long) (promptMillis / 3));
        long cancelled = System.nanoTime();
        generation.cancel();
        // The handle ends at once; the slot is free when the worker has ended the generation.
        while (model.slots().busy() > 0 && System.nanoTime() - cancelled < 30_000_000_000L) {
            Thread.sleep(1);
        }
        double freedMillis = (System.nanoTime() - cancelled) / 1e6;
        GenerationEvent.Finished finished = Events.readAll(generation).finished;
        long afterCancel = System.nanoTime();
        Events next = Events.readAll(model.generate(GenerationRequest.builder("a b").greedy().maxTokens(2).build()));
        double nextMillis = (System.nanoTime() - afterCancel) / 1e6;

        // then the worker frees the slot within about a chunk, long before the prompt would have been done, and
        // the slot serves the next request at once
        System.out.printf("a %d-token prompt takes %.0f ms (%.0f ms a %d-token chunk); cancelled a third of the way"
                + " in, its slot was free %.0f ms after the cancel; the next request took %.0f ms%n", promptTokens,
                promptMillis, chunkMillis, CHUNK, freedMillis, nextMillis);
        assertEquals(FinishReason.CANCELLED, finished.reason());
        assertTrue(promptMillis > 10 * chunkMillis, "the prompt is many chunks long");
        assertTrue(freedMillis < 2 * chunkMillis + 250, "the slot was free " + freedMillis + " ms after the cancel,"
                + " a chunk takes " + chunkMillis + " ms");
        assertEquals(0, model.slots().busy());
        assertNull(next.finished.error());
        assertTrue(nextMillis < promptMillis / 2, "the next request waited for no prompt: " + nextMillis + " ms");
    }

    @Test
    void everyPromptChunkIsProgress_soALongPromptOutlastsAShortStallBound() throws Exception {
        // The java-llama.cpp engine's worker is killed under these settings (WorkerWatchdogIT): it reports nothing
        // while it processes a prompt. This one reports each chunk.
        WorkerModel model = (WorkerModel) load(Map.of(WatchdogSettings.STALL_TIMEOUT, "PT1S",
                WatchdogSettings.STALL_PER_PROMPT_TOKEN, "PT0S"));
        long pid = model.pid();
        long start = System.nanoTime();

        Events events = Events.readAll(model.generate(longPrompt(4)));

        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("a %d-token prompt and 4 tokens took %d ms under a 1 s stall bound%n",
                model.countTokens(LONG_PROMPT), millis);
        assertTrue(millis > 1_500, "the prompt took " + millis + " ms, not beyond the stall bound: the test shows"
                + " nothing; make the prompt longer");
        assertEquals(FinishReason.LENGTH, events.finished.reason(), String.valueOf(events.finished.error()));
        assertEquals(4, events.finished.completionTokens());
        assertTrue(model.isAlive());
        assertEquals(pid, model.pid());
    }

    @Test
    void estimate_coversTheWorkersResidentMemory() throws Exception {
        LoadedModel model = load(Map.of());
        assertEquals(FinishReason.LENGTH, Events.readAll(model.generate(longPrompt(2))).finished.reason());
        long estimate = engines.getFirst().inspect(model.spec()).estimate().totalBytes();
        long rss = model.residentBytes();

        System.out.printf("worker RSS %.1f MiB, estimate %.1f MiB%n", rss / 1048576.0, estimate / 1048576.0);
        assertTrue(rss > 0 && rss <= estimate, "RSS " + rss + " within the estimate " + estimate);
        assertTrue(rss > estimate / 2, "the estimate " + estimate + " is near the RSS " + rss);
    }
}
