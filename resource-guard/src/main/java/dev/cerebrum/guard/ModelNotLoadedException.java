package dev.cerebrum.guard;

import dev.cerebrum.engine.EngineException;

import java.util.Objects;

/** An unload named a model that is not loaded. */
public class ModelNotLoadedException extends EngineException {
    private final String model;

    public ModelNotLoadedException(String model) {
        super("model '" + model + "' is not loaded");
        this.model = Objects.requireNonNull(model, "model");
    }

    /** The model. */
    public String model() {
        return model;
    }
}
