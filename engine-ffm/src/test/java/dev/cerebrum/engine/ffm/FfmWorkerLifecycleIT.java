package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.worker.testing.WorkerLifecycleSuite;

import java.util.Map;

/** The worker lifecycle suite on the ffm engine. */
class FfmWorkerLifecycleIT extends WorkerLifecycleSuite {
    @Override
    protected String engineName() {
        return FfmEngineProvider.NAME;
    }

    @Override
    protected Map<String, String> engineProperties() {
        return FfmSuites.properties();
    }
}
