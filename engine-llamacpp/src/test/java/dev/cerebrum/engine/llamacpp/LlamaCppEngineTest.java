package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.gguf.GgufFile;
import dev.cerebrum.gguf.GgufValue;
import dev.cerebrum.engine.spi.EngineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's checks that need no native code. */
class LlamaCppEngineTest {
    @Test
    void serviceLoader_findsTheEngineByName(@TempDir Path workDir) {
        assertTrue(InferenceEngines.available().contains("llamacpp"), InferenceEngines.available().toString());
        try (InferenceEngine engine = InferenceEngines.create("llamacpp", EngineOptions.of(workDir))) {
            assertEquals("llamacpp", engine.name());
        }
    }

    @Test
    void provider_listsB4916sArchitectures_withoutTheNewOnes() {
        LlamaCppEngineProvider provider = new LlamaCppEngineProvider();
        assertTrue(provider.supportsArchitecture("llama") && provider.supportsArchitecture("qwen2")
                && provider.supportsArchitecture("gemma3"));
        assertFalse(provider.supportsArchitecture("qwen3") || provider.supportsArchitecture("qwen3moe")
                || provider.supportsArchitecture("gpt-oss") || provider.supportsArchitecture("glm4"));
        assertTrue(provider.version().contains("b4916"), provider.version());
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

    private static GgufFile gguf(Map<String, GgufValue> metadata) {
        return new GgufFile("m.gguf", 3, metadata, List.of(), 32, 0, 0);
    }
}
