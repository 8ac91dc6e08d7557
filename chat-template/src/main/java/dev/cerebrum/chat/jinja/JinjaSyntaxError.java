package dev.cerebrum.chat.jinja;

/** A template that cannot be parsed; the public API turns it into a {@code TemplateSyntaxException}. */
public final class JinjaSyntaxError extends RuntimeException {

    private final int line;
    private final int column;

    JinjaSyntaxError(String problem, int line, int column) {
        super(problem, null, false, false);
        this.line = line;
        this.column = column;
    }

    /** The 1-based line of the problem. */
    public int line() {
        return line;
    }

    /** The 1-based column of the problem. */
    public int column() {
        return column;
    }

    /** What is wrong, without the position. */
    public String problem() {
        return getMessage();
    }
}
