package dev.cerebrum.client;

import java.net.URI;

/** 404: the model is not registered ({@code model_not_found}) or, for unload, not loaded ({@code model_not_loaded}). */
public final class ModelNotFoundException extends CerebrumException {

    private final String model;

    /** An exception for a 404 answer about {@code model}. */
    public ModelNotFoundException(String message, String code, String model, String requestId, URI endpoint) {
        super(message, 404, code, requestId, endpoint, null);
        this.model = model;
    }

    /** The model asked for, or null if unknown. */
    public String model() {
        return model;
    }

    /** True for {@code model_not_loaded}: the model exists but was not loaded. */
    public boolean notLoaded() {
        return "model_not_loaded".equals(code());
    }

    @Override
    public boolean isRetriable() {
        return false;
    }
}
