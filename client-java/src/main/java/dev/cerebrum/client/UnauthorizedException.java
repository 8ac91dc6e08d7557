package dev.cerebrum.client;

import java.net.URI;

/** 401: the API key is missing or wrong. */
public final class UnauthorizedException extends CerebrumException {

    /** An exception for a 401 answer. */
    public UnauthorizedException(String message, String requestId, URI endpoint) {
        super(message, 401, "unauthorized", requestId, endpoint, null);
    }

    @Override
    public boolean isRetriable() {
        return false;
    }
}
