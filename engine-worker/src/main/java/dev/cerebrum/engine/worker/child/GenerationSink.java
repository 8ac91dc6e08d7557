package dev.cerebrum.engine.worker.child;

import dev.cerebrum.engine.worker.protocol.WorkerMessage.Outcome;

/** Where a backend's generation sends its output. Thread-safe; nothing is sent after {@link #end}. */
public interface GenerationSink {

    /**
     * New output: text (empty when a token yields none yet) and the completion tokens of the text
     * sent so far. Every call is progress for the engine's watchdog.
     */
    void piece(String text, int completionTokens);

    /**
     * Still working, no output yet: call it after each chunk of a long prompt, so the engine's watchdog
     * sees progress without a piece (which would end the prompt phase of the timings).
     */
    void progress();

    /**
     * The generation ended.
     *
     * @param outcome          why
     * @param completionTokens completion tokens of the returned text ({@link Outcome#LENGTH}: the limit)
     * @param message          for {@link Outcome#FAILED}, a message for clients; else empty
     * @param cachedTokens     prompt tokens found in the slot's cache and not processed again
     */
    void end(Outcome outcome, int completionTokens, String message, int cachedTokens);

    /** The generation ended, with no prompt tokens from a cache: see {@link #end(Outcome, int, String, int)}. */
    default void end(Outcome outcome, int completionTokens, String message) {
        end(outcome, completionTokens, message, 0);
    }
}
