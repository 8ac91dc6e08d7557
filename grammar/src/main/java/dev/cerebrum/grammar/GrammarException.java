package dev.cerebrum.grammar;

/**
 * A GBNF grammar that is refused: it does not parse, llama.cpp would mis-handle it, or it exceeds a limit of
 * {@link GrammarLimits}. The message reads {@code "line 3, column 7: expecting ')'"}.
 */
public final class GrammarException extends RefusedGrammarException {
    private final Problem problem;
    private final int line;
    private final int column;
    private final String reason;

    /** What is wrong with a refused grammar. */
    public enum Problem {
        /** The text does not follow the GBNF syntax. */
        SYNTAX,
        /** An escape that llama.cpp does not know, or with the wrong number of hex digits. */
        BAD_ESCAPE,
        /** A NUL, an unpaired surrogate, a surrogate or a value above U+10FFFF where a character is needed. */
        BAD_CHARACTER,
        /** A character class that no character can match, such as {@code [z-a]} or {@code []}. */
        EMPTY_CHARACTER_CLASS,
        /** Syntax that only some llama.cpp versions know, such as tokens ({@code <[12]>}) or {@code \-}. */
        UNSUPPORTED_SYNTAX,
        /** There is no rule named {@code root}. */
        MISSING_ROOT,
        /** A rule is used but never defined. */
        UNDEFINED_RULE,
        /** A rule is defined twice; llama.cpp would silently keep the last one. */
        DUPLICATE_RULE,
        /** A rule can reach itself without consuming input, which llama.cpp cannot handle. */
        LEFT_RECURSION,
        /** A repetition whose bounds are reversed or apply to nothing. */
        BAD_REPETITION,
        /** A limit of {@link GrammarLimits} is exceeded. */
        LIMIT
    }

    GrammarException(Problem problem, int line, int column, String reason) {
        super("line " + line + ", column " + column + ": " + reason);
        this.problem = problem;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    /** What is wrong. */
    public Problem problem() {
        return problem;
    }

    /** The 1-based line of the problem. */
    public int line() {
        return line;
    }

    /** The 1-based column of the problem, in characters. */
    public int column() {
        return column;
    }

    /** The problem in plain words, without its position. */
    public String reason() {
        return reason;
    }
}
