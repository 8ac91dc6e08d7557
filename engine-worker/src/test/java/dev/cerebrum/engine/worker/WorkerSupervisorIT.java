package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.GenerationResult;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.worker.testing.LogCapture;
import dev.cerebrum.engine.worker.testing.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker machinery in real child processes, with a scripted backend instead of a model: the
 * protocol, the log policy and the watchdog. The llama.cpp engine's tests show the same with the
 * real native library.
 */
class WorkerSupervisorIT {
    private static final WorkerCommand SCRIPTED = new WorkerCommand(ScriptedWorkerMain.class, List.of(), temp -> List.of());

    @TempDir
    Path workDir;
    private final List<WorkerSupervisor> supervisors = new ArrayList<>();
    @AfterEach
    void closeAll() {
        supervisors.forEach(WorkerSupervisor::close);
    }

    private WorkerSupervisor supervisor(Map<String, String> properties) {
        WorkerSupervisor supervisor = new WorkerSupervisor("scripted", new EngineOptions(workDir, properties), SCRIPTED);
        supervisors.add(supervisor);
        return supervisor;
    }

    private static ModelSpec spec(String path) {
        return ModelSpec.of("scripted", Path.of(path), 256, 1, 2);
    }

    private static GenerationRequest request(String prompt, int maxTokens) {
        return GenerationRequest.builder(prompt).maxTokens(maxTokens).build();
    }

    @Test
    void generation_streamsTheWorkersPieces_andEndsWithItsOutcome() throws Exception {
        WorkerModel model = supervisor(Map.of()).load(spec("/models/m.gguf"), Map.of("mode", "test"));

        GenerationResult stopped = readAll(model.generate(request("echo:hello", 10)));
        GenerationResult cut = readAll(model.generate(request("echo:hello", 3)));
        GenerationResult stopString = readAll(model.generate(GenerationRequest.builder("echo:hello").stop(List.of("ll"))
                .build()));

        assertEquals("hello", stopped.text());
        assertEquals(FinishReason.STOP, stopped.finished().reason());
        assertEquals(5, stopped.finished().completionTokens());
        assertEquals("hel", cut.text());
        assertEquals(FinishReason.LENGTH, cut.finished().reason());
        assertEquals(3, cut.finished().completionTokens());
        assertEquals("he", stopString.text());
        assertEquals(FinishReason.STOP, stopString.finished().reason());
        assertEquals(10, model.countTokens("echo:hello"));
    }

    @Test
    void aPromptCountedJustBefore_isNotCountedAgainToGenerate() throws Exception {
        WorkerModel model = supervisor(Map.of()).load(spec("/models/m.gguf"), Map.of());
        String prompt = "counts";

        model.countTokens(prompt);
        GenerationResult counted = readAll(model.generate(GenerationRequest.builder(prompt).build()));
        GenerationResult equalText = readAll(model.generate(GenerationRequest.builder(new String(prompt)).build()));

        // The scheduler's count before generating is the worker's only one; text equal to it is counted anew.
        assertEquals("1", counted.text());
        assertEquals("2", equalText.text());
    }

    @Test
    void loadError_isAnInvalidModel_withoutThePath() {
        WorkerSupervisor supervisor = supervisor(Map.of());

        InvalidModelException e = assertThrows(InvalidModelException.class,
                () -> supervisor.load(spec("/models/invalid.gguf"), Map.of()));

        assertEquals("model 'scripted' could not be loaded: not a model: <file>", e.getMessage());
    }

    @Test
    void countThatFails_isAnInvalidPrompt_withACleanMessage() {
        WorkerModel model = supervisor(Map.of()).load(spec("/models/m.gguf"), Map.of());

        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> model.countTokens("untokenizable"));

        assertEquals("prompt", e.field());
        assertEquals("the prompt could not be tokenized: cannot tokenize <file>", e.getMessage());
        assertTrue(model.isAlive());
    }

    @Test
    void requestLargerThanAFrame_isRefusedBeforeTheWorker() throws Exception {
        WorkerModel model = supervisor(Map.of()).load(spec("/models/m.gguf"), Map.of());
        String huge = "x".repeat(64 << 20);

        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> model.generate(request(huge, 1)));

        assertEquals("prompt", e.field());
        assertTrue(model.isAlive());
        assertEquals("ok", awaitText(model.generate(request("echo:ok", 5))));
    }

    @Test
    void pingsAreAnsweredWhileAGenerationHangs_soTheWorkerLives() throws Exception {
        WorkerModel model = supervisor(Map.of(WatchdogSettings.PING_INTERVAL, "PT0.1S",
                WatchdogSettings.PING_TIMEOUT, "PT0.3S", WatchdogSettings.STALL_TIMEOUT, "PT0S"))
                .load(spec("/models/m.gguf"), Map.of());
        Generation hung = model.generate(request("hang", 5));

        Thread.sleep(1500); // five times the ping bound

        assertTrue(model.isAlive());
        assertNull(hung.poll(Duration.ZERO));
        assertEquals("ok", awaitText(model.generate(request("echo:ok", 5))));
    }

    @Test
    void generationWithoutProgress_isKilledAfterTheStallBound() throws Exception {
        WorkerModel model = supervisor(Map.of(WatchdogSettings.PING_INTERVAL, "PT0.1S",
                WatchdogSettings.STALL_TIMEOUT, "PT0.5S", WatchdogSettings.STALL_PER_PROMPT_TOKEN, "PT0S"))
                .load(spec("/models/m.gguf"), Map.of());
        long pid = model.pid();
        try (LogCapture log = LogCapture.start()) {
            long start = System.nanoTime();

            GenerationEvent.Finished finished = finish(model.generate(request("hang", 5)));

            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("a hung generation ended %d ms after it was sent%n", millis);
            assertEquals(FinishReason.ERROR, finished.reason());
            assertTrue(finished.error().startsWith("model worker for 'scripted' made no progress for "), finished.error());
            assertTrue(finished.error().endsWith(" and was killed; the next request loads the model again"),
                    finished.error());
            assertTrue(millis >= 500 && millis < 3000, "killed after " + millis + " ms");
            assertFalse(model.isAlive());
            Processes.awaitGone(pid, Duration.ofSeconds(5));
            assertEquals(1, log.count(WARNING, "made no progress"), "the reason is logged once");
        }
    }

    @Test
    void slowPromptWithinItsAllowance_isNotKilled() throws Exception {
        // 16 prompt tokens at 100 ms each plus 0.5 s: a 1.5 s silence is within the 2.1 s bound.
        WorkerModel model = supervisor(Map.of(WatchdogSettings.PING_INTERVAL, "PT0.1S",
                WatchdogSettings.STALL_TIMEOUT, "PT0.5S", WatchdogSettings.STALL_PER_PROMPT_TOKEN, "PT0.1S"))
                .load(spec("/models/m.gguf"), Map.of());

        GenerationResult result = readAll(model.generate(request("slow:1500:abcdefg", 20)));

        assertEquals(FinishReason.STOP, result.finished().reason());
        assertEquals("abcdefg", result.text());
        assertTrue(result.finished().timings().timeToFirstTokenMillis() >= 1500, result.finished().timings().toString());
        assertTrue(model.isAlive());
    }

    @Test
    void promptReportingProgressInChunks_isNotKilled_andKeepsItsTimings() throws Exception {
        // No allowance per prompt token: only the progress messages keep the 1.5 s prompt within 0.5 s gaps.
        WorkerModel model = supervisor(Map.of(WatchdogSettings.PING_INTERVAL, "PT0.1S",
                WatchdogSettings.STALL_TIMEOUT, "PT0.5S", WatchdogSettings.STALL_PER_PROMPT_TOKEN, "PT0S"))
                .load(spec("/models/m.gguf"), Map.of());

        GenerationResult result = readAll(model.generate(request("chunked:1500:abc", 20)));

        assertEquals(FinishReason.STOP, result.finished().reason(), String.valueOf(result.finished().error()));
        assertEquals("abc", result.text());
        assertTrue(result.finished().timings().timeToFirstTokenMillis() >= 1500, result.finished().timings().toString());
        assertTrue(model.isAlive());
    }

    @Test
    void frozenWorker_isKilledWithinThePingBound_andLoadsAgain() throws Exception {
        WorkerSupervisor supervisor = supervisor(Map.of(WatchdogSettings.PING_INTERVAL, "PT0.2S",
                WatchdogSettings.PING_TIMEOUT, "PT0.5S"));
        WorkerModel model = supervisor.load(spec("/models/m.gguf"), Map.of());
        Generation running = model.generate(GenerationRequest.builder("echo:" + "a".repeat(100)).maxTokens(100)
                .ignoreEos(true).build());
        assertInstanceOf(GenerationEvent.Token.class, running.poll(Duration.ofSeconds(10)));
        long pid = model.pid();
        long start = System.nanoTime();

        Processes.signal("STOP", pid);

        GenerationEvent.Finished finished = finish(running);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("a frozen worker's stream ended %d ms after SIGSTOP%n", millis);
        assertEquals(FinishReason.ERROR, finished.reason());
        assertEquals("model worker for 'scripted' stopped responding and was killed; the next request loads the model"
                + " again", finished.error());
        // Bound: interval + timeout (0.7 s) after the last pong, found at the next check (0.2 s).
        assertTrue(millis < 2500, "killed after " + millis + " ms");
        assertFalse(model.isAlive());
        Processes.awaitGone(pid, Duration.ofSeconds(5));
        assertEquals("ok", awaitText(supervisor.load(spec("/models/m.gguf"), Map.of()).generate(request("echo:ok", 5))));
    }

    @Test
    void crashedWorker_logsOnlyItsOwnLinesAboveDebug_neverRequestContent() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            WorkerModel model = supervisor(Map.of()).load(spec("/models/m.gguf"), Map.of("mode", "crash"));
            String grammar = "root ::= \"secret-grammar-7731\"";
            assertEquals("ok", awaitText(model.generate(GenerationRequest.builder("echo:ok").grammar(grammar).build())));

            GenerationEvent.Finished finished = finish(model.generate(request("exit", 5)));

            assertEquals("model worker for 'scripted' exited unexpectedly (exit code 7)", finished.error());
            log.await(DEBUG, "secret-grammar-7731", Duration.ofSeconds(5));
            assertTrue(log.atInfoOrAbove().stream().noneMatch(line -> line.contains("secret-grammar")),
                    log.atInfoOrAbove().toString());
            assertEquals(1, log.count(WARNING, "exited unexpectedly (exit code 7); its last log lines:"));
            assertEquals(1, log.count(WARNING, "scripted backend ready, option mode=crash"));
        }
    }

    private static GenerationEvent.Finished finish(Generation generation) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (generation.poll(Duration.ofMillis(100)) instanceof GenerationEvent.Finished finished) {
                return finished;
            }
        }
        throw new AssertionError("the generation did not finish within 30 s");
    }

    /** The whole stream, each event awaited at most 30 s. */
    private static GenerationResult readAll(Generation generation) throws InterruptedException {
        StringBuilder text = new StringBuilder();
        while (true) {
            GenerationEvent event = generation.poll(Duration.ofSeconds(30));
            assertNotNull(event, "no event within 30 s");
            if (event instanceof GenerationEvent.Token token) {
                text.append(token.text());
            } else {
                return new GenerationResult(text.toString(), (GenerationEvent.Finished) event);
            }
        }
    }

    private static String awaitText(Generation generation) throws InterruptedException {
        return readAll(generation).text();
    }
}
