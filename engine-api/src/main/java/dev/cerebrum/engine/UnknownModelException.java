package dev.cerebrum.engine;

/** No model of that name is registered. */
public class UnknownModelException extends EngineException {
    private final String model;

    public UnknownModelException(String model) {
        super("unknown model '" + model + "'");
        this.model = model;
    }

    /** The name that was asked for. */
    public String model() {
        return model;
    }
}
