package dev.cerebrum.engine;

import java.util.Objects;

/** One event of a generation stream: text pieces, then exactly one {@link Finished}. */
public sealed interface GenerationEvent {

    /**
     * A piece of generated text. Never empty.
     *
     * @param text             the piece
     * @param completionTokens completion tokens generated so far, this piece included
     */
    record Token(String text, int completionTokens) implements GenerationEvent {
        public Token {
            Objects.requireNonNull(text, "text");
            if (text.isEmpty()) {
                throw new IllegalArgumentException("a token event carries text");
            }
        }
    }

    /**
     * The end of a generation.
     *
     * @param reason           why it ended
     * @param promptTokens     tokens in the prompt
     * @param completionTokens tokens generated
     * @param timings          where the time went
     * @param error            for {@link FinishReason#ERROR}, a message safe to show a client; else null
     * @param failure          what cut it short, {@link FailureKind#NONE} when nothing did; it must allow the reason
     */
    record Finished(FinishReason reason, int promptTokens, int completionTokens, Timings timings, String error,
                    FailureKind failure) implements GenerationEvent {
        public Finished {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(timings, "timings");
            Objects.requireNonNull(failure, "failure");
            if (!failure.allows(reason)) {
                throw new IllegalArgumentException("a generation that ended with " + reason + " cannot fail with "
                        + failure);
            }
        }

        /** An end whose failure kind follows from the reason: see {@link FailureKind#of(FinishReason)}. */
        public Finished(FinishReason reason, int promptTokens, int completionTokens, Timings timings, String error) {
            this(reason, promptTokens, completionTokens, timings, error, FailureKind.of(reason));
        }

        /** The same end with other timings. */
        public Finished withTimings(Timings other) {
            return new Finished(reason, promptTokens, completionTokens, other, error, failure);
        }
    }
}
