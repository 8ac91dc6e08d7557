package dev.cerebrum.server;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;

/**
 * How one route writes a generation as Server-Sent Events: the bytes of each event, whole {@code data:} lines
 * with their blank line. One instance serves one response and may keep state (the first chunk of a chat stream
 * differs from the others).
 */
interface EventFormat {

    /** The events for a token; empty to send nothing. */
    byte[] token(GenerationEvent.Token token);

    /** The events that end a successful stream, {@code seconds} after the request arrived. */
    byte[] finished(GenerationEvent.Finished finished, double seconds);

    /**
     * The event that ends a stream that has started with an error.
     *
     * @param message   safe for any client
     * @param reason    why the generation ended ({@link FinishReason#ERROR} or {@link FinishReason#CANCELLED})
     * @param unavailable true when the server or the model is going away rather than failing
     * @param requestId the request's id
     */
    byte[] error(String message, FinishReason reason, boolean unavailable, String requestId);
}
