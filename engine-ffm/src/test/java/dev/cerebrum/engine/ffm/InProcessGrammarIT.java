package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.worker.testing.GrammarSuite;

import java.util.Map;

/**
 * The grammar suite on the in-process engine: no grammar reaches llama.cpp unchecked, and the process the model
 * runs in is this one, which a grammar that crashed llama.cpp would end.
 */
class InProcessGrammarIT extends GrammarSuite {
    @Override
    protected long modelProcess() {
        return ProcessHandle.current().pid();
    }

    @Override
    protected String engineName() {
        return InProcessEngineProvider.NAME;
    }

    @Override
    protected Map<String, String> engineProperties() {
        return FfmSuites.properties();
    }
}
