package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.worker.testing.MultiByteCharacterSuite;

/** The multi-byte character suite on the java-llama.cpp engine. */
class LlamaCppMultiByteCharacterIT extends MultiByteCharacterSuite {
    @Override
    protected String engineName() {
        return LlamaCppEngineProvider.NAME;
    }
}
