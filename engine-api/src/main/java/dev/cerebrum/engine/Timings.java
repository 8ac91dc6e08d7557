package dev.cerebrum.engine;

/**
 * Where the time of one generation went. Millisecond values are wall-clock.
 *
 * @param queueMillis            waiting for a free slot
 * @param timeToFirstTokenMillis from the request to its first token, queue included
 * @param promptMillis           prompt processing (from slot start to the first token)
 * @param decodeMillis           from the first token to the last
 * @param promptTokensPerSecond  prompt tokens over prompt time
 * @param decodeTokensPerSecond  completion tokens after the first over decode time
 * @param totalMillis            from the request to the final event
 */
public record Timings(double queueMillis, double timeToFirstTokenMillis, double promptMillis, double decodeMillis,
                      double promptTokensPerSecond, double decodeTokensPerSecond, double totalMillis) {

    /** Timings of a generation that never started. */
    public static final Timings NONE = new Timings(0, 0, 0, 0, 0, 0, 0);
}
