package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.GenerationEvent;

/**
 * Receives one generation's events: {@link GenerationEvent.Token}s (never empty), then exactly one
 * {@link GenerationEvent.Finished}. Called on the decode thread, in order; it must return quickly and never
 * block, since every slot waits for it. An exception it throws cancels its own generation only.
 */
@FunctionalInterface
public interface EventSink {

    /** One event of the generation. */
    void onEvent(GenerationEvent event);

    /**
     * A chunk of the prompt was processed: {@code processed} of {@code total} tokens. Progress, not output: a
     * worker reports it so that its watchdog sees a long prompt advance. Does nothing unless overridden.
     */
    default void onPromptChunk(int processed, int total) {
    }
}
