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

    /** 8 M characters, 20 M steps, nesting 128: far above what real templates need for long conversations. */
    public static final RenderLimits DEFAULT = new RenderLimits(8_000_000, 20_000_000, 128);

    /** Checks that every bound is positive. */
    public RenderLimits {
        if (maxOutputChars <= 0 || maxSteps <= 0 || maxNesting <= 0) {
            throw new IllegalArgumentException("render limits must be positive");
        }
    }
}
