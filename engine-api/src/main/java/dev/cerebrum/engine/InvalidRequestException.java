package dev.cerebrum.engine;

/** A request field is invalid. */
public class InvalidRequestException extends EngineException {
    private final String field;

    public InvalidRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The offending field, in its wire name. */
    public String field() {
        return field;
    }
}
