package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.InferenceEngineProvider;

/** Provides the llama.cpp engine. */
public final class LlamaCppEngineProvider implements InferenceEngineProvider {
    @Override
    public String name() {
        return "llamacpp";
    }

    @Override
    public InferenceEngine create(EngineOptions options) {
        throw new UnsupportedOperationException("TODO");
    }
}
