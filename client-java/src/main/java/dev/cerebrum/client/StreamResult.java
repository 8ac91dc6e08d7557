package dev.cerebrum.client;

import java.util.Objects;

/**
 * A stream read to its end.
 *
 * @param text      every token's text, concatenated
 * @param done      the final event
 * @param requestId the server's request id, or null
 */
public record StreamResult(String text, StreamEvent.Done done, String requestId) {

    public StreamResult {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(done, "done");
    }
}
