package dev.cerebrum.server;

/** An HTTP-level refusal decided by the server itself (auth, limits, bad input, routing). */
final class ApiException extends RuntimeException {
    private final transient ApiError error;

    ApiException(ApiError error) {
        super(error.code(), null, false, false);
        this.error = error;
    }

    ApiError error() {
        return error;
    }
}
