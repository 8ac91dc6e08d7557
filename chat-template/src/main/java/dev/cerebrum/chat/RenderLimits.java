package dev.cerebrum.chat;

/**
 * Bounds on one render, so a hostile template or a huge conversation cannot hang a thread or exhaust the
 * heap. Exceeding one throws {@link TemplateRenderException} with {@link TemplateRenderException.Reason#LIMIT_EXCEEDED}.
 *
 * @param maxOutputChars the largest output, and the largest string or list built on the way
 * @param maxSteps       evaluation steps (expressions, statements, loop iterations; bulk work counts by size)
 * @param maxNesting     macro call depth and nesting of the input data
 */
public record RenderLimits(int maxOutputChars, long maxSteps, int maxNesting) {

    /**
     * 8 M characters, 50 M steps (a few seconds of CPU at most), nesting 128. Real templates need far less:
     * an 800,000-character prompt (300 turns, 40 tools) took 0.1 to 2.2 M steps with the corpus templates.
     */
    public static final RenderLimits DEFAULT = new RenderLimits(8_000_000, 50_000_000, 128);

    /** Checks that every bound is positive. */
    public RenderLimits {
        if (maxOutputChars <= 0 || maxSteps <= 0 || maxNesting <= 0) {
            throw new IllegalArgumentException("render limits must be positive");
        }
    }
}
