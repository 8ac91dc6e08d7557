package dev.cerebrum.engine;

/** Loads models. Implementations are found through {@link dev.cerebrum.engine.spi.InferenceEngineProvider}. */
public interface InferenceEngine extends AutoCloseable {

    /** The engine's name, for example {@code llamacpp}. */
    String name();

    /** What the engine runs, for messages, for example {@code llama.cpp b4916 (de.kherud:llama 4.2.0)}. */
    String version();

    /**
     * True when the engine can load models of this architecture ({@code general.architecture} of a GGUF file,
     * for example {@code qwen3}). {@link #load} refuses the others with {@link UnsupportedArchitectureException}
     * before anything is started.
     */
    boolean supportsArchitecture(String architecture);

    /**
     * Reads a model file's metadata and estimates the RAM it needs for the spec, without loading it.
     *
     * @throws InvalidModelException when the file is missing, not a model, or malformed
     */
    ModelInfo inspect(ModelSpec spec);

    /**
     * Loads a model. Blocks until it is ready.
     *
     * @throws UnsupportedArchitectureException when the engine cannot load the model's architecture
     * @throws InvalidModelException  when the file cannot be used
     * @throws EngineFailureException when loading fails
     */
    LoadedModel load(ModelSpec spec);

    /** Unloads every model this engine loaded. */
    @Override
    void close();
}
