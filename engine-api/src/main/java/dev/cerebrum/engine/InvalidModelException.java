package dev.cerebrum.engine;

/** A model file is missing, not a model this engine reads, or malformed. */
public class InvalidModelException extends EngineException {
    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
