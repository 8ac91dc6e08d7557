package dev.cerebrum.bench;

import java.util.List;

/** The peer comparison's prompts, built from {@link Prompts} (the random model's letters and word boundaries). */
final class PeerPrompts {
    private PeerPrompts() {
    }

    /**
     * A prompt of about {@code tokens} tokens (BOS, then a word boundary and a letter per letter), starting with
     * the two letters of {@code variant}.
     */
    static String ofTokens(int tokens, int variant) {
        int letters = Math.max(2, (tokens - 1) / 2);
        return new Prompts.Shape(letters, letters * 2 + 1 < tokens).text(variant);
    }

    /**
     * A short prompt of the digits of {@code n}, for the warm-up: measured prompts are letters, so it shares nothing
     * with them after the start of text, whatever a server keeps in its caches.
     */
    static String digits(int n) {
        return String.join(" ", Integer.toString(n).split(""));
    }

    /**
     * The repeated prompt: one text of about {@code tokens} tokens whose last line is that of {@code firstLine},
     * then the same text with the last line of {@code secondLine}. Both lines have
     * {@link PeerOptions#LAST_LINE_LETTERS} letters, so both prompts have the same length.
     */
    static List<String> repeated(int tokens, int prefixVariant, int firstLine, int secondLine) {
        if (firstLine == secondLine) {
            throw new IllegalArgumentException("the two last lines must differ");
        }
        int lineTokens = 2 * PeerOptions.LAST_LINE_LETTERS + 1;
        String prefix = ofTokens(Math.max(8, tokens - lineTokens), prefixVariant) + "\n";
        return List.of(prefix + Prompts.spaced(PeerOptions.LAST_LINE_LETTERS, firstLine),
                prefix + Prompts.spaced(PeerOptions.LAST_LINE_LETTERS, secondLine));
    }
}
