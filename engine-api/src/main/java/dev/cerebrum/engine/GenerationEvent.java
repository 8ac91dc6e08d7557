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
     */
    record Finished(FinishReason reason, int promptTokens, int completionTokens, Timings timings, String error)
            implements GenerationEvent {
        public Finished {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(timings, "timings");
        }
    }
}
