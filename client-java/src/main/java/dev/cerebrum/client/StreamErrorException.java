package dev.cerebrum.client;

import java.net.URI;

/** A stream ended with an error event after it had started (for example the engine failed). */
public final class StreamErrorException extends CerebrumException {

    private final String partialText;

    /** An exception for an error event. */
    public StreamErrorException(String message, String requestId, URI endpoint, String partialText) {
        super(message, 200, "stream_error", requestId, endpoint, null);
        this.partialText = partialText;
    }

    /** The text received before the error (possibly empty). */
    public String partialText() {
        return partialText;
    }

    @Override
    public boolean isRetriable() {
        return false;
    }
}
