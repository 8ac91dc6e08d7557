package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.worker.testing.ChatMlSuite;

import java.util.Map;

/** The ChatML known-answer suite on the ffm engine. */
class FfmChatMlIT extends ChatMlSuite {
    @Override
    protected String engineName() {
        return FfmEngineProvider.NAME;
    }

    @Override
    protected Map<String, String> engineProperties() {
        return FfmSuites.properties();
    }
}
