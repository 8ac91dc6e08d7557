package dev.cerebrum.engine;

/** The engine failed: a worker died, a load failed, or native code reported an error. */
public class EngineFailureException extends EngineException {
    public EngineFailureException(String message) {
        super(message);
    }

    public EngineFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
