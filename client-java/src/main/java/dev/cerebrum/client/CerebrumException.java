package dev.cerebrum.client;

import java.net.URI;

/**
 * The base of every exception this client throws. Messages are safe to log: they hold the server's
 * (safe) message, never the API key.
 */
public abstract class CerebrumException extends RuntimeException {

    private final int status;
    private final String code;
    private final String requestId;
    private final URI endpoint;

    /**
     * @param message   safe message
     * @param status    HTTP status, or 0 when there was no HTTP answer
     * @param code      the server's error code, or a client-side code
     * @param requestId the request id, or null
     * @param endpoint  the endpoint involved, or null
     * @param cause     the cause, or null
     */
    protected CerebrumException(String message, int status, String code, String requestId, URI endpoint,
                                Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.requestId = requestId;
        this.endpoint = endpoint;
    }

    /** The HTTP status, or 0 when no HTTP answer came (connection failures, timeouts). */
    public int status() {
        return status;
    }

    /** The server's error code (for example {@code queue_full}) or a client-side code; never null. */
    public String code() {
        return code;
    }

    /** The request id from the server's answer, or the one the client sent; null if neither is known. */
    public String requestId() {
        return requestId;
    }

    /** The endpoint involved, or null when none was tried. */
    public URI endpoint() {
        return endpoint;
    }

    /** True when repeating the same call later may succeed and cannot run the work twice. */
    public abstract boolean isRetriable();
}
