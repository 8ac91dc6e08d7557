package dev.cerebrum.engine.llamacpp;

/** The java-llama.cpp engine's part in the shared suites. */
final class LlamaCppSuites {
    private LlamaCppSuites() {
    }

    /** The llama successor model's vocabulary (SPM): BOS, the space-prefix token, then one token per letter. */
    static int promptTokens(String letters) {
        return letters.length() + 2;
    }
}
