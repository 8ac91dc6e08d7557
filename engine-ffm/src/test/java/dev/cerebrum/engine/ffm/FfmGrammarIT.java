package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.worker.testing.GrammarSuite;

import java.util.Map;

/** The grammar suite on the ffm engine. */
class FfmGrammarIT extends GrammarSuite {
    @Override
    protected String engineName() {
        return FfmEngineProvider.NAME;
    }

    @Override
    protected Map<String, String> engineProperties() {
        return FfmSuites.properties();
    }
}
