package dev.cerebrum.grammar;

import java.util.List;
import java.util.Objects;

/** One item of a {@link Sequence}. */
public sealed interface Expression {

    /** Where the item starts. */
    Position position();

    /** A value of {@link Repeat#max()}: no upper bound. */
    int UNBOUNDED = -1;

    /**
     * A quoted string, {@code "abc"}, decoded: escapes resolved.
     *
     * @param text     the characters to match; empty matches the empty string
     * @param position where the opening quote is
     */
    record Literal(String text, Position position) implements Expression {
        public Literal {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(position, "position");
        }
    }

    /**
     * A character class, {@code [a-z_]} or negated {@code [^"\\]}.
     *
     * @param negated  whether it matches the characters not listed
     * @param ranges   the listed characters and ranges, never empty
     * @param position where the opening bracket is
     */
    record CharClass(boolean negated, List<CharRange> ranges, Position position) implements Expression {
        public CharClass {
            ranges = List.copyOf(ranges);
            if (ranges.isEmpty()) {
                throw new IllegalArgumentException("a character class lists at least one character");
            }
            Objects.requireNonNull(position, "position");
        }
    }

    /**
     * An inclusive range of code points inside a {@link CharClass}; a single character has {@code first == last}.
     *
     * @param first the lowest code point
     * @param last  the highest code point, at least {@code first}
     */
    record CharRange(int first, int last) {
        public CharRange {
            if (first < 0 || last < first || last > Character.MAX_CODE_POINT) {
                throw new IllegalArgumentException("invalid range " + first + ".." + last);
            }
        }
    }

    /**
     * {@code .}: any one character.
     *
     * @param position where the dot is
     */
    record AnyChar(Position position) implements Expression {
        public AnyChar {
            Objects.requireNonNull(position, "position");
        }
    }

    /**
     * A reference to a rule by name.
     *
     * @param name     the rule's name
     * @param position where the name is
     */
    record RuleRef(String name, Position position) implements Expression {
        public RuleRef {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(position, "position");
        }
    }

    /**
     * A parenthesised group of alternatives.
     *
     * @param body     the alternatives inside the parentheses
     * @param position where the opening parenthesis is
     */
    record Group(Alternatives body, Position position) implements Expression {
        public Group {
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(position, "position");
        }
    }

    /**
     * A repetition: {@code x*} is {@code {0,}}, {@code x+} is {@code {1,}}, {@code x?} is {@code {0,1}},
     * {@code x{m}}, {@code x{m,}} and {@code x{m,n}}.
     *
     * @param item     what is repeated
     * @param min      least repetitions
     * @param max      most repetitions, or {@link #UNBOUNDED}
     * @param position where the operator is
     */
    record Repeat(Expression item, int min, int max, Position position) implements Expression {
        public Repeat {
            Objects.requireNonNull(item, "item");
            Objects.requireNonNull(position, "position");
            if (min < 0 || (max != UNBOUNDED && max < min)) {
                throw new IllegalArgumentException("invalid repetition {" + min + "," + max + "}");
            }
        }
    }
}
