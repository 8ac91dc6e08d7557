package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model of the in-process engine over its life: an abandoned stream, an unload, a file that is not there. */
class InProcessModelIT {
    private static final int TOKENS = 2000;

    @TempDir
    Path dir;
    private InferenceEngine engine;

    @BeforeEach
    void createEngine() {
        engine = InferenceEngines.create(InProcessEngineProvider.NAME, new EngineOptions(dir, FfmSuites.properties()));
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    private LoadedModel oneSlot() {
        return engine.load(ModelSpec.of("successor", TestModels.successor(), 2048, 1, 1));
    }

    private static GenerationRequest longRun() {
        return GenerationRequest.builder("a").greedy().maxTokens(TOKENS).ignoreEos(true).build();
    }

    @Test
    void abandonedGeneration_isCancelledByTheCleaner_longBeforeItsEnd() throws Exception {
        LoadedModel model = oneSlot();
        GenerationCore core = ((InProcessModel) model).core();
        long stepsBefore = core.loop().steps();
        generateAndDrop(model);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (model.slots().busy() > 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(1);
        }

        assertEquals(0, model.slots().busy(), "the slot was freed");
        long steps = core.loop().steps() - stepsBefore;
        assertTrue(steps < TOKENS, "the generation ran " + steps + " steps: it was not cut short");
        assertEquals("bcd", model.generate(GenerationRequest.builder("a").greedy().maxTokens(3).build()).await().text());
    }

    private static void generateAndDrop(LoadedModel model) {
        model.generate(longRun());
    }

    @Test
    void unload_endsARunningGenerationWithAnError_andRefusesNewOnes() throws Exception {
        LoadedModel model = oneSlot();
        Generation running = model.generate(longRun());
        assertInstanceOf(GenerationEvent.Token.class, running.poll(Duration.ofSeconds(10)));

        model.close();

        GenerationEvent last = running.poll(Duration.ofSeconds(10));
        while (last instanceof GenerationEvent.Token) {
            last = running.poll(Duration.ofSeconds(10));
        }
        GenerationEvent.Finished finished = assertInstanceOf(GenerationEvent.Finished.class, last);
        assertEquals(FinishReason.ERROR, finished.reason());
        assertFalse(model.isAlive());
        assertThrows(EngineFailureException.class, () -> model.generate(longRun()));
    }

    @Test
    void aMissingModelFile_isRefusedNamingTheFileButNotItsFolder() {
        InvalidModelException e = assertThrows(InvalidModelException.class,
                () -> engine.load(ModelSpec.of("gone", dir.resolve("missing.gguf"), 512, 1, 1)));

        assertTrue(e.getMessage().contains("missing.gguf"), e.getMessage());
        assertFalse(e.getMessage().contains(dir.toString()), e.getMessage());
    }
}
