package dev.cerebrum.guard;

import dev.cerebrum.engine.EngineException;

import java.time.Duration;
import java.util.Objects;

/** New work was refused to protect the host: CPU above the limit, not enough RAM, or too many models. */
public class OverloadedException extends EngineException {
    /** Refusal kind: CPU above the limit. */
    public static final String CPU = "cpu";
    /** Refusal kind: a load would leave too little RAM. */
    public static final String MEMORY = "memory";
    /** Refusal kind: the cap on loaded models is reached and none can be evicted. */
    public static final String MAX_MODELS = "max_models";

    private final String refusal;
    private final String reason;
    private final Duration retryAfter;

    public OverloadedException(String reason, Duration retryAfter) {
        this("overloaded", reason, retryAfter);
    }

    public OverloadedException(String refusal, String reason, Duration retryAfter) {
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

    /** The kind of refusal: {@link #CPU}, {@link #MEMORY} or {@link #MAX_MODELS}. */
    public String refusal() {
        return refusal;
    }
}
