package dev.cerebrum.client;

import java.util.Objects;

/** One event of an inference stream: a token, the final done event, or an error. */
public sealed interface StreamEvent permits StreamEvent.Token, StreamEvent.Done, StreamEvent.Error {

    /**
     * A piece of generated text.
     *
     * @param text        the piece; never empty
     * @param totalTokens completion tokens so far
     */
    record Token(String text, int totalTokens) implements StreamEvent {
        public Token {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * The successful end of a stream.
     *
     * @param totalTokens          completion tokens
     * @param inferenceTimeSeconds server-side time
     * @param tokensPerSecond      completion tokens over that time
     * @param finishReason         why the generation ended
     * @param promptTokens         prompt tokens, or -1 if not sent
     * @param completionTokens     completion tokens, or -1 if not sent
     * @param timings              where the time went
     */
    record Done(int totalTokens, double inferenceTimeSeconds, double tokensPerSecond, FinishReason finishReason,
                int promptTokens, int completionTokens, Timings timings) implements StreamEvent {
        public Done {
            Objects.requireNonNull(finishReason, "finishReason");
            Objects.requireNonNull(timings, "timings");
        }
    }

    /**
     * The stream failed after it started; iterating past this event throws
     * {@link StreamErrorException}.
     *
     * @param message   the server's message, safe to show
     * @param requestId the server's request id, or null
     */
    record Error(String message, String requestId) implements StreamEvent {
        public Error {
            Objects.requireNonNull(message, "message");
        }
    }
}
