package dev.cerebrum.bench;

/**
 * Times one generation from its consumer's side: created just before the call that starts it, told
 * each time tokens arrive. Not thread-safe; one consumer uses it.
 */
final class TokenClock {
    private final long startNanos;
    private long firstNanos;
    private long lastNanos;
    private int firstCount;
    private int lastCount;
    private boolean seen;

    TokenClock() {
        this(System.nanoTime());
    }

    TokenClock(long startNanos) {
        this.startNanos = startNanos;
    }

    /** Tokens arrived now; {@code completionTokens} counts every token so far. */
    void tokens(int completionTokens) {
        tokens(completionTokens, System.nanoTime());
    }

    void tokens(int completionTokens, long nowNanos) {
        if (!seen) {
            seen = true;
            firstNanos = nowNanos;
            firstCount = completionTokens;
        }
        lastNanos = nowNanos;
        lastCount = completionTokens;
    }

    /** The nanoTime the clock started at. */
    long startNanos() {
        return startNanos;
    }

    /** When the first token arrived (nanoTime), or 0 when none did. */
    long firstNanos() {
        return seen ? firstNanos : 0;
    }

    /** The sample of a generation that ended now. */
    RunSample sample(int promptTokens, int completionTokens, String finishReason, double queueMs) {
        return sample(promptTokens, completionTokens, finishReason, queueMs, System.nanoTime());
    }

    RunSample sample(int promptTokens, int completionTokens, String finishReason, double queueMs, long endNanos) {
        double ttft = seen ? millis(firstNanos - startNanos) : Double.NaN;
        double promptRate = seen && ttft > 0 ? promptTokens * 1000.0 / ttft : Double.NaN;
        double decodeMs = millis(lastNanos - firstNanos);
        double decodeRate = seen && lastCount > firstCount && decodeMs > 0 ? (lastCount - firstCount) * 1000.0 / decodeMs
                : Double.NaN;
        return new RunSample(ttft, promptRate, decodeRate, promptTokens, completionTokens, finishReason,
                millis(endNanos - startNanos), queueMs);
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
