package dev.cerebrum.client;

import java.net.URI;

/**
 * 500 (or another 5xx than 503, or an answer this client cannot read): the server failed. Quote
 * {@link #requestId()} to find it in the server's log.
 */
public final class ServerErrorException extends CerebrumException {

    /** An exception for a server failure. */
    public ServerErrorException(String message, int status, String code, String requestId, URI endpoint,
                                Throwable cause) {
        super(message, status, code, requestId, endpoint, cause);
    }

    @Override
    public boolean isRetriable() {
        return false;
    }
}
