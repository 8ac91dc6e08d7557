package dev.cerebrum.server;

import dev.cerebrum.engine.FailureKind;

import java.util.Objects;

/**
 * A generation ended without a result before anything was sent to its client; {@link Errors#map} turns it
 * into a status by its {@link FailureKind}.
 */
final class GenerationFailedException extends RuntimeException {
    private final FailureKind kind;
    private final String error;
    private final boolean started;

    GenerationFailedException(FailureKind kind, String error, boolean started) {
        super("generation ended: " + kind.wireName(), null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.error = error;
        this.started = started;
    }

    /** What cut it short. */
    FailureKind kind() {
        return kind;
    }

    /** The engine's or the guard's message, as it was; null when there is none. */
    String error() {
        return error;
    }

    /** True when it had reached the engine. */
    boolean started() {
        return started;
    }
}
