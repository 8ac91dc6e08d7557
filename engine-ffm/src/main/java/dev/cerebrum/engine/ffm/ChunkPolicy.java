package dev.cerebrum.engine.ffm;

/**
 * How many prompt tokens one decode step takes: the chunk policy. A step that carries a prompt chunk delays the
 * next token of every decoding stream by the time the chunk takes, so
 * <ul>
 *   <li>with no stream decoding, a chunk is the largest allowed ({@link CoreConfig#prefillChunk()}): the prompt
 *       is processed as fast as the batch allows, which gives the shortest time to first token;</li>
 *   <li>with streams decoding, a chunk is sized so that a step takes about {@link #STEP_TARGET_NANOS} at the
 *       prompt speed measured on this machine (the last steps' prompt tokens per second), within
 *       {@link #MIN_CHUNK} and the largest allowed. Running streams keep flowing at roughly four tokens a second
 *       or more while a long prompt is processed, and the prompt still advances every step.</li>
 * </ul>
 * Before the first measurement a chunk beside decoding streams is {@link #FIRST_GUESS} tokens. The chunk size never
 * changes a result: at temperature 0 a prompt processed in any chunks gives the same tokens. Decode-thread only.
 */
final class ChunkPolicy {
    /** The time a step beside decoding streams aims at. */
    static final long STEP_TARGET_NANOS = 250_000_000L;
    /** The smallest chunk beside decoding streams, so that a prompt always advances. */
    static final int MIN_CHUNK = 16;
    /** The chunk beside decoding streams before any prompt speed was measured. */
    static final int FIRST_GUESS = 64;

    private final int largest;
    /** Prompt tokens per nanosecond, smoothed; 0 until measured. */
    private double tokensPerNano;

    ChunkPolicy(int largest) {
        if (largest < 1) {
            throw new IllegalArgumentException("the largest chunk must be at least 1 token, was " + largest);
        }
        this.largest = largest;
    }

    /** The chunk of the next step, given how many streams decode in it. */
    int chunk(int decoding) {
        if (decoding == 0) {
            return largest;
        }
        int wanted = tokensPerNano == 0 ? FIRST_GUESS : (int) Math.min(Integer.MAX_VALUE, tokensPerNano * STEP_TARGET_NANOS);
        return Math.max(Math.min(MIN_CHUNK, largest), Math.min(largest, wanted));
    }

    /**
     * A step that processed {@code promptTokens} of a prompt took {@code nanos} (its decoding tokens are counted as
     * prompt work too: they cost about as much, and the estimate errs on the short side).
     */
    void measured(int promptTokens, int decoding, long nanos) {
        if (promptTokens < MIN_CHUNK || nanos <= 0) {
            return;
        }
        double rate = (promptTokens + decoding) / (double) nanos;
        tokensPerNano = tokensPerNano == 0 ? rate : 0.5 * tokensPerNano + 0.5 * rate;
    }
}
