package dev.cerebrum.engine;

/** A model loaded by an engine, ready to generate. Thread-safe. */
public interface LoadedModel extends AutoCloseable {

    /** The spec it was loaded with. */
    ModelSpec spec();

    /**
     * Starts a generation. It waits for a free slot if there is none; that wait is part of
     * the stream and can be cancelled.
     *
     * @throws ContextOverflowException when the prompt does not fit a slot's context
     * @throws EngineFailureException   when the model is no longer usable
     */
    Generation generate(GenerationRequest request);

    /** Tokens the text becomes, as the model counts them for a prompt. */
    int countTokens(String text);

    /** Slot use now. */
    SlotStatus slots();

    /** Resident memory of the model, in bytes, or -1 when unknown. */
    long residentBytes();

    /** False once the model has failed or been closed. */
    boolean isAlive();

    /** Unloads the model: running generations end with an error, and its memory is freed. */
    @Override
    void close();
}
