package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.spi.EngineProperties;
import dev.cerebrum.gguf.ModelShape.Architecture;

import java.util.Map;

/** The ffm engine's part in the shared suites: its natives folder, and the vocabularies of the test models. */
final class FfmSuites {
    private FfmSuites() {
    }

    /** The engine properties of the suites: the natives the build fetched (skips or fails without them). */
    static Map<String, String> properties() {
        return Map.of(EngineProperties.LLAMA_NATIVES, TestNatives.folder().toString());
    }

    /**
     * Tokens of a prompt of letters: the llama successor's SPM vocabulary adds BOS and a space prefix; the qwen3
     * models' byte-level BPE adds nothing and has one token per letter.
     */
    static int promptTokens(Architecture architecture, String letters) {
        return architecture == Architecture.LLAMA ? letters.length() + 2 : letters.length();
    }
}
