package dev.cerebrum.engine.worker.testing;

import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.NoFreeSlotException;
import dev.cerebrum.engine.SlotStatus;
import dev.cerebrum.engine.worker.WorkerModel;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Worker processes of an engine: death, unload, orphans, start-up, refusal beyond the free slots and the stream's hygiene, with the
 * real native library on the successor model. Every worker engine passes it.
 */
public abstract class WorkerLifecycleSuite extends EngineSuite {
    @TempDir
    protected Path workDir;
    private final List<InferenceEngine> engines = new ArrayList<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(InferenceEngine::close);
    }

    /** An engine of the suite with {@code properties} besides the suite's, closed after the test. */
    protected InferenceEngine engine(Map<String, String> properties) {
        InferenceEngine engine = createEngine(workDir, properties);
        engines.add(engine);
        return engine;
    }

    /** One slot of 2048 tokens: long enough that a 2000-token generation is still running when the test acts. */
    protected static ModelSpec oneSlot() {
        return ModelSpec.of("successor", TestModels.successor(), 2048, 1, 1);
    }

    private static GenerationRequest longRun() {
        return GenerationRequest.builder("a").greedy().maxTokens(2000).ignoreEos(true).build();
    }

    /** "abc", greedy, 8 tokens: "defghijk". */
    protected static GenerationRequest abc() {
        return GenerationRequest.builder("abc").greedy().maxTokens(8).build();
    }

    @Test
    void workerKilledMidStream_endsItsGenerationWithAClearError_andTheModelLoadsAgain() throws Exception {
        InferenceEngine engine = engine(Map.of());
        WorkerModel model = (WorkerModel) engine.load(oneSlot());
        Generation running = model.generate(longRun());
        assertInstanceOf(GenerationEvent.Token.class, Events.next(running));
        long pid = model.pid();
        // Freeze it first so that it cannot finish the generation before the kill lands.
        Processes.signal("STOP", pid);

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        GenerationEvent.Finished finished = Events.readAll(running).finished;
        assertEquals(FinishReason.ERROR, finished.reason());
        assertEquals("model worker for 'successor' exited unexpectedly (killed by signal 9)", finished.error());
        assertTrue(running.slotFreed().toCompletableFuture().isDone(), "a lost worker frees every slot");
        assertFalse(model.isAlive());
        assertEquals(-1, model.residentBytes());
        EngineFailureException refused = assertThrows(EngineFailureException.class, () -> model.generate(abc()));
        assertTrue(refused.getMessage().contains("exited unexpectedly"), refused.getMessage());

        LoadedModel again = engine.load(oneSlot());
        assertEquals("defghijk", Events.readAll(again.generate(abc())).text());
    }

    @Test
    void unload_endsTheWorker_andReturnsItsMemoryToTheOs() throws Exception {
        InferenceEngine engine = engine(Map.of());
        WorkerModel model = (WorkerModel) engine.load(oneSlot());
        assertEquals("defghijk", Events.readAll(model.generate(abc())).text());
        long pid = model.pid();
        long workerRss = model.residentBytes();
        long treeBefore = ProcessTree.residentBytes();

        model.close();

        Processes.awaitTrue(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), Duration.ofSeconds(10));
        long treeAfter = ProcessTree.residentBytes();
        System.out.printf("%s unload: worker RSS %.1f MiB, tree RSS %.1f -> %.1f MiB%n", engineName(),
                workerRss / 1048576.0, treeBefore / 1048576.0, treeAfter / 1048576.0);
        assertTrue(workerRss > 0, "the worker's RSS was measured");
        assertTrue(treeBefore - treeAfter >= workerRss * 3 / 4,
                "the tree's RSS fell by most of the worker's: " + treeBefore + " -> " + treeAfter + ", worker " + workerRss);
        assertFalse(model.isAlive());
        assertThrows(EngineFailureException.class, () -> model.generate(abc()));
    }

    @Test
    void unloadWhileGenerating_endsTheGenerationWithAnError() throws Exception {
        LoadedModel model = engine(Map.of()).load(oneSlot());
        Generation running = model.generate(longRun());
        assertInstanceOf(GenerationEvent.Token.class, Events.next(running));

        model.close();

        GenerationEvent.Finished finished = Events.readAll(running).finished;
        assertEquals(FinishReason.ERROR, finished.reason());
        assertEquals("model 'successor' was unloaded", finished.error());
    }

    @Test
    void parentKilled_workerExitsByItself() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), OrphanParentMain.class.getName(), workDir.toString(),
                TestModels.successor().toString(), engineName()));
        engineProperties().forEach((k, v) -> command.add(k + "=" + v));
        Process parent = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            CompletableFuture<Long> workerPid = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (line.startsWith("WORKER ")) {
                            return Long.parseLong(line.substring(7).trim());
                        }
                    }
                    throw new IllegalStateException("the parent printed no worker pid");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long pid = workerPid.get(60, TimeUnit.SECONDS);
            ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
            assertTrue(worker.isAlive());

            parent.destroyForcibly();
            assertTrue(parent.waitFor(10, TimeUnit.SECONDS));

            Processes.awaitTrue(() -> !worker.isAlive(), Duration.ofSeconds(5));
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void generationBeyondTheFreeSlots_isRefused_andTheSlotIsFreeOnceTheWorkerConfirmsTheCancel() throws Exception {
        LoadedModel model = engine(Map.of()).load(oneSlot());
        Generation running = model.generate(longRun());
        assertInstanceOf(GenerationEvent.Token.class, Events.next(running));
        assertEquals(new SlotStatus(1, 1, 0, 1), model.slots());

        assertThrows(NoFreeSlotException.class, () -> model.generate(abc()), "the engine does not queue");

        running.cancel();
        GenerationEvent.Finished finished = Events.readAll(running).finished;
        assertEquals(FinishReason.CANCELLED, finished.reason());
        running.slotFreed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(new SlotStatus(1, 0, 0, 0), model.slots());
        assertEquals("defghijk", Events.readAll(model.generate(abc())).text());
    }

    @Test
    void abandonedGeneration_isCancelledByTheCleaner() throws Exception {
        LoadedModel model = engine(Map.of()).load(oneSlot());
        generateAndDrop(model);
        assertEquals(1, model.slots().busy());

        // The dropped handle's cleaner cancels it, and the worker frees its slot.
        Processes.awaitTrue(() -> {
            System.gc();
            return model.slots().busy() == 0;
        }, Duration.ofSeconds(10));
        assertEquals("defghijk", Events.readAll(model.generate(abc())).text());
    }

    private static void generateAndDrop(LoadedModel model) {
        model.generate(longRun());
    }

    @Test
    void fileThatIsNotAModel_isRefusedWithoutNamingItsPath() throws Exception {
        Path file = Files.writeString(workDir.resolve("broken.gguf"), "this is not a GGUF file");
        InferenceEngine engine = engine(Map.of());

        InvalidModelException e = assertThrows(InvalidModelException.class,
                () -> engine.load(ModelSpec.of("broken", file, 512, 1, 1)));

        assertFalse(e.getMessage().contains(workDir.toString()), e.getMessage());
    }

    @Test
    void contextBeyondFourTimesTheTrainedOne_isRefusedBeforeAnyWorkerStarts() {
        InferenceEngine engine = engine(Map.of());

        InvalidModelException e = assertThrows(InvalidModelException.class,
                () -> engine.load(ModelSpec.of("successor", TestModels.successor(), 4096, 1, 1)));

        assertTrue(e.getMessage().contains("2048"), e.getMessage());
        assertFalse(Files.exists(workDir.resolve("workers")), "no worker was started");
    }

    @Test
    void startUp_isMeasuredApartFromTheLoad() {
        InferenceEngine engine = engine(Map.of());
        for (int i = 0; i < 3; i++) {
            WorkerModel model = (WorkerModel) engine.load(oneSlot());
            System.out.printf("%s load %d: worker start-up %d ms, llama.cpp load %d ms%n", engineName(), i + 1,
                    model.startupMillis(), model.loadMillis());
            assertTrue(model.startupMillis() > 0);
            assertTrue(model.loadMillis() >= 0);
            model.close();
        }
    }
}
