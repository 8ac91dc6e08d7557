package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.worker.testing.GrammarSuite;

/** The grammar suite on the java-llama.cpp engine. */
class LlamaCppGrammarIT extends GrammarSuite {
    @Override
    protected String engineName() {
        return LlamaCppEngineProvider.NAME;
    }
}
