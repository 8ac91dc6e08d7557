package dev.cerebrum.engine.spi;

import dev.cerebrum.engine.InferenceEngine;

/** Creates an engine. Registered with {@code provides} in the engine's module. */
public interface InferenceEngineProvider {

    /** The engine's name. */
    String name();

    /** A new engine with these options. */
    InferenceEngine create(EngineOptions options);
}
