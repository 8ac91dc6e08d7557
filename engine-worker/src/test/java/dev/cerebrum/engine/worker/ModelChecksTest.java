package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.MemoryEstimate;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checks every engine makes of a spec against its model file, before a worker starts. */
class ModelChecksTest {
    private static final int MAX_CONTEXT = 131_072;
    private static final ModelInfo TRAINED_4096 = new ModelInfo("llama", 4096, 64, 1, 4, 4, 286, "F32", 1000,
            new MemoryEstimate(1, 1, 1));

    @Test
    void contextUpToFourTimesTheTrainedOne_isAccepted() {
        assertDoesNotThrow(() -> ModelChecks.check(spec(16384, 1, 4), TRAINED_4096, MAX_CONTEXT));
    }

    @Test
    void contextBeyondFourTimesTheTrainedOne_isRefused() {
        InvalidModelException e = assertThrows(InvalidModelException.class,
                () -> ModelChecks.check(spec(16385, 1, 4), TRAINED_4096, MAX_CONTEXT));
        assertTrue(e.getMessage().contains("16384"), e.getMessage());
    }

    @Test
    void contextBeyondTheAbsoluteLimit_isRefusedEvenForALongTrainedModel() {
        ModelInfo huge = new ModelInfo("llama", 1 << 20, 64, 1, 4, 4, 286, "F32", 1000, new MemoryEstimate(1, 1, 1));
        assertThrows(InvalidModelException.class, () -> ModelChecks.check(spec(MAX_CONTEXT + 1, 1, 1), huge, MAX_CONTEXT));
        assertDoesNotThrow(() -> ModelChecks.check(spec(MAX_CONTEXT, 1, 1), huge, MAX_CONTEXT));
    }

    @Test
    void moreThreadsThanFourPerCore_areRefused() {
        int tooMany = 4 * Runtime.getRuntime().availableProcessors() + 1;
        assertThrows(InvalidModelException.class, () -> ModelChecks.check(spec(4096, tooMany, 1), TRAINED_4096, MAX_CONTEXT));
        ModelSpec batchOnly = new ModelSpec("m", Path.of("m.gguf"), 4096, 1, tooMany, 1, 512, 0);
        assertThrows(InvalidModelException.class, () -> ModelChecks.check(batchOnly, TRAINED_4096, MAX_CONTEXT));
    }

    @Test
    void hugeBatchSize_isRefused() {
        ModelSpec spec = new ModelSpec("m", Path.of("m.gguf"), 4096, 1, 1, 1, ModelChecks.MAX_BATCH_SIZE + 1, 0);
        assertThrows(InvalidModelException.class, () -> ModelChecks.check(spec, TRAINED_4096, MAX_CONTEXT));
    }

    private static ModelSpec spec(int context, int threads, int parallel) {
        return ModelSpec.of("m", Path.of("m.gguf"), context, threads, parallel);
    }
}
