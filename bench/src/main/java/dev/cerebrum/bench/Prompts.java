package dev.cerebrum.bench;

import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/**
 * Prompts for the random model's SentencePiece vocabulary. Its multi-letter pieces are letters only, so
 * in "q w e r" every letter and every word boundary is one token, whatever the letters: all prompts of
 * one length have the same token count. Each variant starts with its own two letters, so that a
 * prompt cache (which reuses the longest common prefix with an earlier prompt) never shortens a
 * measured prompt by more than its first four tokens: BOS, a word boundary, the first letter and a
 * boundary.
 */
final class Prompts {
    /** Variants 0..675 have distinct first two letters. */
    static final int DISTINCT_VARIANTS = 26 * 26;

    private Prompts() {
    }

    /** {@code letters} lower-case letters separated by spaces; variant {@code v} fixes the first two. */
    static String spaced(int letters, int variant) {
        if (letters < 2) {
            throw new IllegalArgumentException("a prompt needs at least 2 letters");
        }
        SplittableRandom random = new SplittableRandom(0x5eed_0000L + variant);
        StringBuilder b = new StringBuilder(letters * 2);
        for (int i = 0; i < letters; i++) {
            char c = switch (i) {
                case 0 -> (char) ('a' + Math.floorMod(variant, 26));
                case 1 -> (char) ('a' + Math.floorMod(variant / 26, 26));
                default -> (char) ('a' + random.nextInt(26));
            };
            if (i > 0) {
                b.append(' ');
            }
            b.append(c);
        }
        return b.toString();
    }

    /**
     * The letter count (and trailing space or not) whose prompt is exactly {@code targetTokens} long as
     * {@code counter} counts it; the closest one below when none is exact.
     */
    static Shape fit(int targetTokens, ToIntFunction<String> counter) {
        Shape best = null;
        int bestTokens = -1;
        int letters = Math.max(2, targetTokens / 2);
        for (int attempt = 0; attempt < 12; attempt++) {
            for (boolean trailing : new boolean[]{false, true}) {
                Shape shape = new Shape(letters, trailing);
                int tokens = counter.applyAsInt(shape.text(0));
                if (tokens == targetTokens) {
                    return shape;
                }
                if (tokens < targetTokens && tokens > bestTokens) {
                    best = shape;
                    bestTokens = tokens;
                }
            }
            int counted = counter.applyAsInt(new Shape(letters, false).text(0));
            // About two tokens per letter; never step by less than one letter.
            int step = (targetTokens - counted) / 2;
            letters = Math.max(2, letters + (step == 0 ? (targetTokens > counted ? 1 : -1) : step));
        }
        if (best == null) {
            throw new IllegalStateException("no prompt of at most " + targetTokens + " tokens was found");
        }
        return best;
    }

    /**
     * A prompt layout.
     *
     * @param letters  letters, space-separated
     * @param trailing a space after the last letter (one more token)
     */
    record Shape(int letters, boolean trailing) {
        /** The prompt of variant {@code v}. */
        String text(int variant) {
            return spaced(letters, variant) + (trailing ? " " : "");
        }
    }
}
