package dev.cerebrum.grammar;

import java.util.List;

/**
 * Items that must follow one another. An empty sequence matches the empty string.
 *
 * @param items the items in written order
 */
public record Sequence(List<Expression> items) {

    public Sequence {
        items = List.copyOf(items);
    }
}
