package dev.cerebrum.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A running generation: a stream of {@link GenerationEvent}s that ends with one
 * {@link GenerationEvent.Finished}. Not thread-safe for reading; {@link #cancel()} may be
 * called from any thread.
 */
public interface Generation extends AutoCloseable {

    /**
     * The next event, waiting at most {@code timeout}.
     *
     * @return the event, or null when none arrived in time
     * @throws IllegalStateException when the final event was already returned
     */
    GenerationEvent poll(Duration timeout) throws InterruptedException;

    /** Cancels the generation. Its slot is freed; the stream ends with {@link FinishReason#CANCELLED}. */
    void cancel();

    /** True once the generation has a slot (it is no longer waiting in the queue). */
    boolean started();

    /**
     * Completes once the engine has freed the generation's slot, which may be after a cancelled generation's
     * final event was read (the engine stops it within one step). A scheduler hands the slot on only then.
     */
    default CompletionStage<Void> slotFreed() {
        return CompletableFuture.completedFuture(null);
    }

    /** Cancels the generation unless it has finished. */
    @Override
    default void close() {
        cancel();
    }

    /** Reads the whole stream and returns the text with its final event. */
    default GenerationResult await() throws InterruptedException {
        StringBuilder text = new StringBuilder();
        while (true) {
            GenerationEvent event = poll(Duration.ofDays(1));
            if (event instanceof GenerationEvent.Token token) {
                text.append(token.text());
            } else if (event instanceof GenerationEvent.Finished finished) {
                return new GenerationResult(text.toString(), finished);
            }
        }
    }
}
