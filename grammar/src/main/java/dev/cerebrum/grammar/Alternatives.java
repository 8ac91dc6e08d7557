package dev.cerebrum.grammar;

import java.util.List;

/**
 * Alternatives separated by {@code |}: the body of a rule or of a group. Never empty; an alternative may be
 * the empty sequence.
 *
 * @param choices the alternatives in written order
 */
public record Alternatives(List<Sequence> choices) {

    public Alternatives {
        choices = List.copyOf(choices);
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("alternatives must not be empty");
        }
    }
}
