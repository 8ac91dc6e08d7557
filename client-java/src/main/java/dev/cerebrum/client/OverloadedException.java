package dev.cerebrum.client;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * 503 or 429: the server (or this client's own concurrency limit) refused the work for now. The
 * client already retried within its retry policy before throwing this. The original orchestrator
 * falls back to local inference on it.
 */
public final class OverloadedException extends CerebrumException {

    /** Which refusal it was. */
    public enum Kind {
        /** 503 {@code overloaded}: the CPU or RAM guard refused. */
        OVERLOADED,
        /** 503 {@code model_unavailable}: the model cannot fit or its entry is broken. */
        MODEL_UNAVAILABLE,
        /** 503 {@code load_timeout}: the model failed to load in time. */
        LOAD_TIMEOUT,
        /** 429 {@code queue_full}: the model's wait queue is full. */
        QUEUE_FULL,
        /** 429 {@code rate_limited}: too many failed authentications from this address. */
        RATE_LIMITED,
        /** No HTTP: this client's concurrency limit was reached and its wait ran out. */
        CLIENT_LIMIT
    }

    private final Kind kind;
    private final Duration retryAfter;
    private final String reason;

    /** An exception for a refusal. */
    public OverloadedException(String message, int status, String code, Kind kind, Duration retryAfter,
                               String reason, String requestId, URI endpoint) {
        super(message, status, code, requestId, endpoint, null);
        this.kind = kind;
        this.retryAfter = retryAfter;
        this.reason = reason;
    }

    /** Which refusal it was. */
    public Kind kind() {
        return kind;
    }

    /** True for a momentary refusal (queue full, client limit) rather than an overloaded host. */
    public boolean isBusy() {
        return kind == Kind.QUEUE_FULL || kind == Kind.CLIENT_LIMIT;
    }

    /** The server's {@code Retry-After}, if it sent one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The server's 503 {@code reason}, or null. */
    public String reason() {
        return reason;
    }

    @Override
    public boolean isRetriable() {
        return kind != Kind.RATE_LIMITED;
    }
}
