package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.InferenceEngineProvider;

/**
 * Provides the llama.cpp engine, named {@value #NAME}. Each loaded model runs in its own worker
 * process (a child JVM). Engine properties: {@code native-log=true} lets llama.cpp log (into the
 * backend's log at DEBUG, logger {@code cerebrum.worker.<model>}); {@code worker-cds=true} gives the
 * workers an AppCDS archive in the work folder. Both default to false.
 */
public final class LlamaCppEngineProvider implements InferenceEngineProvider {
    /** The engine's name. */
    public static final String NAME = "llamacpp";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public InferenceEngine create(EngineOptions options) {
        return new LlamaCppEngine(options);
    }
}
