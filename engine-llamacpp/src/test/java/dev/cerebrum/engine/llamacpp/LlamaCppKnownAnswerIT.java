package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.worker.testing.KnownAnswerSuite;

/** The known-answer suite on the java-llama.cpp engine. */
class LlamaCppKnownAnswerIT extends KnownAnswerSuite {
    @Override
    protected String engineName() {
        return LlamaCppEngineProvider.NAME;
    }

    @Override
    protected boolean samplesFromTheLastCell() {
        return false;
    }

    @Override
    protected int expectedPromptTokens(String prompt) {
        return LlamaCppSuites.promptTokens(prompt);
    }
}
