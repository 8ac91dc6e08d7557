package dev.cerebrum.guard;

import dev.cerebrum.engine.EngineException;

import java.util.Objects;

/** A registered model cannot be used now: a broken registry entry or a failed load. */
public class ModelUnavailableException extends EngineException {
    private final String model;
    private final String reason;

    public ModelUnavailableException(String model, String reason) {
        super("model '" + model + "' is unavailable: " + reason);
        this.model = Objects.requireNonNull(model, "model");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The model. */
    public String model() {
        return model;
    }

    /** Why, safe to show a client (no absolute paths). */
    public String reason() {
        return reason;
    }
}
