package dev.cerebrum.engine.worker.child;

import dev.cerebrum.engine.worker.protocol.WorkerMessage.LoadErrorKind;

import java.util.Objects;

/** A model that a backend could not load; the message is cleaned and shown to clients. */
public final class WorkerLoadException extends Exception {
    private final LoadErrorKind kind;

    /** A load failure of the given kind. */
    public WorkerLoadException(LoadErrorKind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** Whether the file is at fault. */
    public LoadErrorKind kind() {
        return kind;
    }
}
