package dev.cerebrum.guard;

import dev.cerebrum.engine.EngineException;

import java.time.Duration;
import java.util.Objects;

/** The model's wait queue is full ({@link Refusal#QUEUE_FULL}). */
public class QueueFullException extends EngineException {
    private final String model;
    private final Duration retryAfter;

    public QueueFullException(String model, Duration retryAfter) {
        super("model '" + model + "' is busy: its wait queue is full");
        this.model = Objects.requireNonNull(model, "model");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** The model whose queue is full. */
    public String model() {
        return model;
    }

    /** When a retry may succeed. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
