package dev.cerebrum.engine;

import java.util.Objects;

/**
 * The engine cannot run on this machine, for example because its native libraries are missing. Thrown by
 * {@link dev.cerebrum.engine.spi.InferenceEngineProvider#create}; the message is safe for clients, the
 * {@link #remedy()} is for the operator's log.
 */
public class EngineUnavailableException extends EngineException {
    private final String engine;
    private final String remedy;

    /**
     * @param engine  the engine's name
     * @param message why it cannot run, safe to show a client (no paths)
     * @param remedy  what the operator can do about it; may name files and commands
     */
    public EngineUnavailableException(String engine, String message, String remedy) {
        super(message);
        this.engine = Objects.requireNonNull(engine, "engine");
        this.remedy = Objects.requireNonNull(remedy, "remedy");
    }

    /** The engine that cannot run. */
    public String engine() {
        return engine;
    }

    /** What the operator can do about it; may name files and commands, so only for the log. */
    public String remedy() {
        return remedy;
    }
}
