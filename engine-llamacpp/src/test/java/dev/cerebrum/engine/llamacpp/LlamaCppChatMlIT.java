package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.worker.testing.ChatMlSuite;

/** The ChatML known-answer suite on the java-llama.cpp engine. */
class LlamaCppChatMlIT extends ChatMlSuite {
    @Override
    protected String engineName() {
        return LlamaCppEngineProvider.NAME;
    }
}
