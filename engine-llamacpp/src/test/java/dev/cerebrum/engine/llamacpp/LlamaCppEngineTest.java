package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.MemoryEstimate;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.gguf.GgufFile;
import dev.cerebrum.gguf.GgufValue;
import dev.cerebrum.engine.spi.EngineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's checks that need no native code. */
class LlamaCppEngineTest {
    private static final ModelInfo TRAINED_4096 = new ModelInfo("llama", 4096, 64, 1, 4, 4, 286, "F32", 1000,
            new MemoryEstimate(1, 1, 1));

    @Test
    void serviceLoader_findsTheEngineByName(@TempDir Path workDir) {
        assertTrue(InferenceEngines.available().contains("llamacpp"), InferenceEngines.available().toString());
        try (InferenceEngine engine = InferenceEngines.create("llamacpp", EngineOptions.of(workDir))) {
            assertEquals("llamacpp", engine.name());
        }
    }

    @Test
    void contextUpToFourTimesTheTrainedOne_isAccepted() {
        assertDoesNotThrow(() -> LlamaCppEngine.validate(spec(16384, 1, 4), TRAINED_4096));
    }

    @Test
    void contextBeyondFourTimesTheTrainedOne_isRefused() {
        InvalidModelException e = assertThrows(InvalidModelException.class,
                () -> LlamaCppEngine.validate(spec(16385, 1, 4), TRAINED_4096));
        assertTrue(e.getMessage().contains("16384"), e.getMessage());
    }

    @Test
    void contextBeyondTheAbsoluteLimit_isRefusedEvenForALongTrainedModel() {
        ModelInfo huge = new ModelInfo("llama", 1 << 20, 64, 1, 4, 4, 286, "F32", 1000, new MemoryEstimate(1, 1, 1));
        assertThrows(InvalidModelException.class,
                () -> LlamaCppEngine.validate(spec(LlamaCppEngine.MAX_CONTEXT + 1, 1, 1), huge));
    }

    @Test
    void moreThreadsThanFourPerCore_areRefused() {
        int tooMany = 4 * Runtime.getRuntime().availableProcessors() + 1;
        assertThrows(InvalidModelException.class, () -> LlamaCppEngine.validate(spec(4096, tooMany, 1), TRAINED_4096));
        ModelSpec batchOnly = new ModelSpec("m", Path.of("m.gguf"), 4096, 1, tooMany, 1, 512, 0);
        assertThrows(InvalidModelException.class, () -> LlamaCppEngine.validate(batchOnly, TRAINED_4096));
    }

    @Test
    void hugeBatchSize_isRefused() {
        ModelSpec spec = new ModelSpec("m", Path.of("m.gguf"), 4096, 1, 1, 1, LlamaCppEngine.MAX_BATCH_SIZE + 1, 0);
        assertThrows(InvalidModelException.class, () -> LlamaCppEngine.validate(spec, TRAINED_4096));
    }

    @Test
    void bos_followsTheFileFlag_elseTheTokenizerDefault() {
        assertTrue(LlamaCppEngine.addsBos(gguf(Map.of("tokenizer.ggml.model", GgufValue.string("llama")))));
        assertFalse(LlamaCppEngine.addsBos(gguf(Map.of("tokenizer.ggml.model", GgufValue.string("gpt2")))));
        assertTrue(LlamaCppEngine.addsBos(gguf(Map.of("tokenizer.ggml.model", GgufValue.string("gpt2"),
                "tokenizer.ggml.add_bos_token", GgufValue.bool(true)))));
        assertFalse(LlamaCppEngine.addsBos(gguf(Map.of("tokenizer.ggml.model", GgufValue.string("llama"),
                "tokenizer.ggml.add_bos_token", GgufValue.bool(false)))));
    }

    private static ModelSpec spec(int context, int threads, int parallel) {
        return ModelSpec.of("m", Path.of("m.gguf"), context, threads, parallel);
    }

    private static GgufFile gguf(Map<String, GgufValue> metadata) {
        return new GgufFile("m.gguf", 3, metadata, List.of(), 32, 0, 0);
    }
}
