package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.worker.testing.KnownAnswerSuite;
import dev.cerebrum.gguf.ModelShape.Architecture;
import dev.cerebrum.gguf.testing.TestModels;

import java.nio.file.Path;
import java.util.Map;

/** The known-answer suite on the ffm engine, with the successor model of one architecture. */
abstract class FfmKnownAnswers extends KnownAnswerSuite {

    /** The architecture of the successor model the suite runs on. */
    protected abstract Architecture architecture();

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
        return TestModels.successor(architecture());
    }

    @Override
    protected boolean samplesFromTheLastCell() {
        return true;
    }

    @Override
    protected int expectedPromptTokens(String prompt) {
        return FfmSuites.promptTokens(architecture(), prompt);
    }
}
