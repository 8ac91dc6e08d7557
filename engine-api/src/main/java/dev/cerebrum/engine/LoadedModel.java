package dev.cerebrum.engine;

/** A model loaded by an engine, ready to generate. Thread-safe. */
public interface LoadedModel extends AutoCloseable {

    /** The spec it was loaded with. */
    ModelSpec spec();

    /**
     * Starts a generation on a free slot. The engine does not queue: the caller hands it at most as many
     * generations as {@link #slots()} has free, and waits for {@link Generation#slotFreed()} before reusing one.
     *
     * @throws NoFreeSlotException      when every slot is busy
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
