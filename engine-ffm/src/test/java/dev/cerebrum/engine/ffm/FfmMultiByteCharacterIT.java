package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.worker.testing.MultiByteCharacterSuite;

import java.util.Map;

/** The multi-byte character suite on the ffm engine. */
class FfmMultiByteCharacterIT extends MultiByteCharacterSuite {
    @Override
    protected String engineName() {
        return FfmEngineProvider.NAME;
    }

    @Override
    protected Map<String, String> engineProperties() {
        return FfmSuites.properties();
    }
}
