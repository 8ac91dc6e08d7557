package dev.cerebrum.grammar;

import java.util.Objects;

/**
 * One rule of a grammar: {@code name ::= body}.
 *
 * @param name     the rule name: ASCII letters, digits and {@code -}
 * @param body     its alternatives
 * @param position where the name is written
 */
public record Rule(String name, Alternatives body, Position position) {

    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(position, "position");
    }
}
