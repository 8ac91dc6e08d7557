package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.worker.testing.KnownAnswerSuite;
import dev.cerebrum.gguf.ModelShape.Architecture;
import dev.cerebrum.gguf.testing.TestModels;

import java.nio.file.Path;
import java.util.Map;

/** The known-answer suite on the ffm engine, with the qwen3 successor model. */
class FfmQwen3KnownAnswerIT extends KnownAnswerSuite {
    @Override
    protected String engineName() {
        return FfmEngineProvider.NAME;
    }

    @Override
    protected Map<String, String> engineProperties() {
        return FfmSuites.properties();
    }

    @Override
    protected Path knownAnswerModel() {
        return TestModels.successor(Architecture.QWEN3);
    }

    @Override
    protected boolean samplesFromTheLastCell() {
        return true;
    }

    @Override
    protected int expectedPromptTokens(String prompt) {
        return FfmSuites.promptTokens(Architecture.QWEN3, prompt);
    }
}
