package dev.cerebrum.server;

/** An HTTP-level refusal decided by the server itself (auth, limits, bad input, routing). */
final class ApiException extends RuntimeException {
    private final transient ApiError error;
    private final boolean endsConnection;

    ApiException(ApiError error) {
        this(error, false);
    }

    private ApiException(ApiError error, boolean endsConnection) {
        super(error.code(), null, false, false);
        this.error = error;
        this.endsConnection = endsConnection;
    }

    /**
     * A refusal after which the connection cannot carry another request: the request's body could not be read to
     * its end (its framing is broken, or it is larger than anything the server reads), so its answer says
     * {@code Connection: close}.
     */
    static ApiException endingConnection(ApiError error) {
        return new ApiException(error, true);
    }

    ApiError error() {
        return error;
    }

    /** True when the answer must close the connection. */
    boolean endsConnection() {
        return endsConnection;
    }
}
