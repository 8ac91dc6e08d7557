package dev.cerebrum.engine;

import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.InferenceEngineProvider;

import java.util.List;
import java.util.ServiceLoader;

/** Finds engines through {@link ServiceLoader}. */
public final class InferenceEngines {
    private InferenceEngines() {
    }

    /** The names of the engines on the class or module path. */
    public static List<String> available() {
        return ServiceLoader.load(InferenceEngineProvider.class).stream()
                .map(p -> p.get().name())
                .toList();
    }

    /**
     * Creates the engine of that name.
     *
     * @throws EngineException when no such engine is present
     */
    public static InferenceEngine create(String name, EngineOptions options) {
        return ServiceLoader.load(InferenceEngineProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new EngineException("no inference engine named '" + name + "'; present: " + available()))
                .create(options);
    }
}
