package dev.cerebrum.chat.jinja;

/** A failure while rendering, classified like the Python exception jinja2 would raise. */
public final class JinjaRuntimeError extends RuntimeException {

    /** What kind of failure this is. */
    public enum Kind {
        /** The template called {@code raise_exception(message)}. */
        RAISED,
        /** Python would raise TypeError, ValueError, UndefinedError, SecurityError and the like. */
        INVALID,
        /** A bound of the render (steps, output size, nesting) was reached. */
        LIMIT
    }

    private final Kind kind;
    private int line;

    JinjaRuntimeError(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    static JinjaRuntimeError type(String message) {
        return new JinjaRuntimeError(Kind.INVALID, message);
    }

    static JinjaRuntimeError limit(String message) {
        return new JinjaRuntimeError(Kind.LIMIT, message);
    }

    /** The kind of failure. */
    public Kind kind() {
        return kind;
    }

    /** The template line where it happened, 0 if unknown. */
    public int line() {
        return line;
    }

    JinjaRuntimeError atLine(int newLine) {
        if (line == 0) {
            line = newLine;
        }
        return this;
    }
}
