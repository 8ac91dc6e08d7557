package dev.cerebrum.engine.ffm;

/** A generation handed to a {@link GenerationCore}. Thread-safe. */
public interface Submission {

    /**
     * Cancels the generation, from any thread. It takes effect before the next decode step: within
     * one prompt chunk, or before the next token. The slot is freed, then the sink receives
     * {@link dev.cerebrum.engine.FinishReason#CANCELLED}. Cancelling a finished generation does nothing.
     */
    void cancel();

    /** Tokens of the prompt, as tokenised once on submission. */
    int promptTokens();

    /** Prompt tokens processed so far (equal to {@link #promptTokens()} once generation started). */
    int promptProcessed();

    /** True once the final event was sent. */
    boolean isDone();
}
