package dev.cerebrum.client;

/**
 * Where the time of one generation went, in wall-clock milliseconds; a value the server did not
 * send is {@code NaN}.
 *
 * @param queueMillis            waiting for a free slot
 * @param timeToFirstTokenMillis from the request to its first token, queue included
 * @param promptMillis           prompt processing
 * @param decodeMillis           from the first token to the last
 * @param promptTokensPerSecond  prompt tokens over prompt time
 * @param decodeTokensPerSecond  completion tokens after the first over decode time
 * @param totalMillis            from the request to the final event
 */
public record Timings(double queueMillis, double timeToFirstTokenMillis, double promptMillis, double decodeMillis,
                      double promptTokensPerSecond, double decodeTokensPerSecond, double totalMillis) {

    /** Timings the server did not send. */
    public static final Timings UNKNOWN = new Timings(Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN, Double.NaN);
}
