package dev.cerebrum.engine;

/** Loads models. Implementations are found through {@link dev.cerebrum.engine.spi.InferenceEngineProvider}. */
public interface InferenceEngine extends AutoCloseable {

    /** The engine's name, for example {@code llamacpp}. */
    String name();

    /**
     * Reads a model file's metadata and estimates the RAM it needs for the spec, without loading it.
     *
     * @throws InvalidModelException when the file is missing, not a model, or malformed
     */
    ModelInfo inspect(ModelSpec spec);

    /**
     * Loads a model. Blocks until it is ready.
     *
     * @throws InvalidModelException  when the file cannot be used
     * @throws EngineFailureException when loading fails
     */
    LoadedModel load(ModelSpec spec);

    /** Unloads every model this engine loaded. */
    @Override
    void close();
}
