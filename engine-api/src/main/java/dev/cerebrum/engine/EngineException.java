package dev.cerebrum.engine;

/** The base of every engine error. Messages are safe to show a client: no paths, no stack traces. */
public class EngineException extends RuntimeException {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
