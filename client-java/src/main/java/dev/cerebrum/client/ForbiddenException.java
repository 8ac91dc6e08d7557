package dev.cerebrum.client;

import java.net.URI;

/** 403: this client's address is not in the server's allowlist. */
public final class ForbiddenException extends CerebrumException {

    /** An exception for a 403 answer. */
    public ForbiddenException(String message, String requestId, URI endpoint) {
        super(message, 403, "forbidden", requestId, endpoint, null);
    }

    @Override
    public boolean isRetriable() {
        return false;
    }
}
