package dev.cerebrum.chat.jinja;

/** One lexer token; {@code value} is the decoded literal for strings and numbers, else the source text. */
record Token(Kind kind, Object value, int line, int column) {

    /** Token kinds, named after jinja2's token types. */
    enum Kind {
        DATA, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END,
        NAME, STRING, INTEGER, FLOAT,
        ADD, SUB, MUL, DIV, FLOORDIV, MOD, POW, TILDE,
        LBRACKET, RBRACKET, LPAREN, RPAREN, LBRACE, RBRACE,
        EQ, NE, GT, GTEQ, LT, LTEQ, ASSIGN, DOT, COLON, PIPE, COMMA, SEMICOLON,
        EOF
    }

    /** True for a name token with exactly this text (jinja2's {@code "name:xyz"} test). */
    boolean isName(String name) {
        return kind == Kind.NAME && value.equals(name);
    }

    /** How the token reads in an error message. */
    String describe() {
        return switch (kind) {
            case EOF -> "end of template";
            case BLOCK_END -> "end of statement block";
            case VARIABLE_END -> "end of print statement";
            case BLOCK_BEGIN -> "begin of statement block";
            case VARIABLE_BEGIN -> "begin of print statement";
            case DATA -> "template data";
            case STRING -> "string";
            case INTEGER, FLOAT, NAME -> String.valueOf(value);
            default -> String.valueOf(value);
        };
    }
}
