package dev.cerebrum.engine;

import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.InferenceEngineProvider;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds engines through {@link ServiceLoader}. */
public final class InferenceEngines {
    private InferenceEngines() {
    }

    /** The names of the engines on the class or module path. */
    public static List<String> available() {
        return providers().stream().map(InferenceEngineProvider::name).toList();
    }

    /** The providers of the engines on the class or module path. */
    public static List<InferenceEngineProvider> providers() {
        return ServiceLoader.load(InferenceEngineProvider.class).stream().map(ServiceLoader.Provider::get).toList();
    }

    /** The provider of the engine of that name, if it is present. */
    public static Optional<InferenceEngineProvider> provider(String name) {
        return providers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The names of the engines present that can load models of {@code architecture}, in the order found. */
    public static List<String> supporting(String architecture) {
        return providers().stream().filter(p -> p.supportsArchitecture(architecture))
                .map(InferenceEngineProvider::name).toList();
    }

    /**
     * Creates the engine of that name.
     *
     * @throws EngineException            when no such engine is present
     * @throws EngineUnavailableException when it cannot run on this machine
     */
    public static InferenceEngine create(String name, EngineOptions options) {
        return provider(name)
                .orElseThrow(() -> new EngineException("no inference engine named '" + name + "'; present: " + available()))
                .create(options);
    }
}
