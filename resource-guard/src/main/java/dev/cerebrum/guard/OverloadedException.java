package dev.cerebrum.guard;

import dev.cerebrum.engine.EngineException;

import java.time.Duration;
import java.util.Objects;

/** New work was refused to protect the host: CPU above the limit, not enough RAM, or too many models. */
public class OverloadedException extends EngineException {
    private final Refusal refusal;
    private final String reason;
    private final Duration retryAfter;

    public OverloadedException(Refusal refusal, String reason, Duration retryAfter) {
        super(reason);
        this.refusal = Objects.requireNonNull(refusal, "refusal");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** Why, with the numbers: safe to show a client. */
    public String reason() {
        return reason;
    }

    /** When a retry may succeed. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The kind of refusal: {@link Refusal#CPU}, {@link Refusal#MEMORY} or {@link Refusal#MAX_MODELS}. */
    public Refusal refusal() {
        return refusal;
    }
}
