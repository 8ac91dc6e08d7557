package dev.cerebrum.engine;

/**
 * Where the time of one generation went. Millisecond values are wall-clock.
 *
 * @param queueMillis            waiting for a free slot
 * @param timeToFirstTokenMillis from the request to its first token, queue included
 * @param promptMillis           prompt processing (from slot start to the first token)
 * @param decodeMillis           from the first token to the last
 * @param promptTokensPerSecond  prompt tokens processed over prompt time (cached tokens are not processed)
 * @param decodeTokensPerSecond  completion tokens after the first over decode time
 * @param totalMillis            from the request to the final event
 * @param cachedTokens           prompt tokens found in the slot's cache and not processed again
 */
public record Timings(double queueMillis, double timeToFirstTokenMillis, double promptMillis, double decodeMillis,
                      double promptTokensPerSecond, double decodeTokensPerSecond, double totalMillis,
                      int cachedTokens) {

    /** Timings of a generation that never started. */
    public static final Timings NONE = new Timings(0, 0, 0, 0, 0, 0, 0);

    public Timings {
        if (cachedTokens < 0) {
            throw new IllegalArgumentException("cached tokens cannot be negative: " + cachedTokens);
        }
    }

    /** Timings without cached prompt tokens. */
    public Timings(double queueMillis, double timeToFirstTokenMillis, double promptMillis, double decodeMillis,
                   double promptTokensPerSecond, double decodeTokensPerSecond, double totalMillis) {
        this(queueMillis, timeToFirstTokenMillis, promptMillis, decodeMillis, promptTokensPerSecond,
                decodeTokensPerSecond, totalMillis, 0);
    }
}
