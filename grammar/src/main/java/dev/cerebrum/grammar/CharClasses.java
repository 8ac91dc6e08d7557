package dev.cerebrum.grammar;

import dev.cerebrum.grammar.Expression.CharClass;
import dev.cerebrum.grammar.Expression.CharRange;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which characters a class can match. A model's output can hold any Unicode scalar value but NUL: llama.cpp
 * decodes token text as a C string, so NUL ends it. A class that matches none of them leaves llama.cpp
 * with no allowed token, and the engine aborts.
 */
final class CharClasses {
    /** The characters a model can produce, as disjoint sorted ranges. */
    private static final int[][] PRODUCIBLE = {{1, Character.MIN_SURROGATE - 1},
            {Character.MAX_SURROGATE + 1, Character.MAX_CODE_POINT}};

    private CharClasses() {
    }

    static boolean matchesSomething(CharClass charClass) {
        List<CharRange> ranges = charClass.ranges();
        if (!charClass.negated()) {
            return ranges.stream().anyMatch(CharClasses::overlapsProducible);
        }
        // negated: some producible character is outside every listed range
        List<CharRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingInt(CharRange::first));
        for (int[] producible : PRODUCIBLE) {
            long next = producible[0];
            for (CharRange r : sorted) {
                if (r.first() > next) {
                    break;
                }
                next = Math.max(next, (long) r.last() + 1);
            }
            if (next <= producible[1]) {
                return true;
            }
        }
        return false;
    }

    private static boolean overlapsProducible(CharRange r) {
        for (int[] producible : PRODUCIBLE) {
            if (r.first() <= producible[1] && r.last() >= producible[0]) {
                return true;
            }
        }
        return false;
    }
}
