package dev.cerebrum.client;

import java.net.URI;

/**
 * 400 or 413 (and any other unexpected 4xx): the server refused the request as sent. For 400
 * {@link #field()} names the offending field; for 413 {@link #limit()} names the limit.
 */
public final class InvalidRequestException extends CerebrumException {

    private final String field;
    private final String limit;

    /** An exception for a 4xx answer. */
    public InvalidRequestException(String message, int status, String code, String field, String limit,
                                   String requestId, URI endpoint) {
        super(message, status, code, requestId, endpoint, null);
        this.field = field;
        this.limit = limit;
    }

    /** The wire name of the offending field (for example {@code temperature}), or null. */
    public String field() {
        return field;
    }

    /** The limit that was exceeded, as the server named it, or null. */
    public String limit() {
        return limit;
    }

    @Override
    public boolean isRetriable() {
        return false;
    }
}
