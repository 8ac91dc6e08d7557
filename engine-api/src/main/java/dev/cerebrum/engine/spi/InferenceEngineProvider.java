package dev.cerebrum.engine.spi;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;

import java.util.Set;

/** Creates an engine. Registered with {@code provides} in the engine's module. */
public interface InferenceEngineProvider {

    /** The engine's name. */
    String name();

    /** What the engine runs, for messages, for example {@code llama.cpp b4916 (de.kherud:llama 4.2.0)}. */
    String version();

    /**
     * The model architectures ({@code general.architecture} of a GGUF file) the engine can load, known without
     * loading native code, so that a model can be refused before anything starts.
     */
    Set<String> architectures();

    /** True when the engine can load models of {@code architecture}. */
    default boolean supportsArchitecture(String architecture) {
        return architectures().contains(architecture);
    }

    /**
     * Reads a model file's metadata and estimates the RAM this engine needs for the spec, without creating an
     * engine (as {@link InferenceEngine#inspect} does).
     *
     * @throws dev.cerebrum.engine.InvalidModelException when the file is missing, not a model, or malformed
     */
    ModelInfo inspect(ModelSpec spec);

    /**
     * A new engine with these options.
     *
     * @throws dev.cerebrum.engine.EngineUnavailableException when the engine cannot run on this machine
     */
    InferenceEngine create(EngineOptions options);
}
