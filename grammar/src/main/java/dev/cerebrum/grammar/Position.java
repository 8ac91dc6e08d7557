package dev.cerebrum.grammar;

/**
 * Where a part of a grammar starts.
 *
 * @param line   1-based line
 * @param column 1-based column, in characters
 */
public record Position(int line, int column) {

    public Position {
        if (line < 1 || column < 1) {
            throw new IllegalArgumentException("line and column are 1-based");
        }
    }
}
