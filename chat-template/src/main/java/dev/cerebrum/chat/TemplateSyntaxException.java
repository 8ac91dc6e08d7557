package dev.cerebrum.chat;

/** The template source is not valid Jinja (or uses a filter or test jinja2 does not know). */
public final class TemplateSyntaxException extends ChatTemplateException {

    private final int line;
    private final int column;
    private final String problem;

    TemplateSyntaxException(int line, int column, String problem, Throwable cause) {
        super("chat template syntax error at line " + line + ", column " + column + ": " + problem, cause);
        this.line = line;
        this.column = column;
        this.problem = problem;
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
        return problem;
    }
}
