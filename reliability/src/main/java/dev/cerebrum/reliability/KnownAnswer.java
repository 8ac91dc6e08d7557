package dev.cerebrum.reliability;

import java.util.random.RandomGenerator;

/**
 * The demo model's known answers: it continues the last letter of a prompt with the letters after it, then ends
 * at {@code z}, so "abc" gives "defghijk" for 8 tokens and "w" gives "xyz".
 */
final class KnownAnswer {
    private KnownAnswer() {
    }

    /** The text the demo model generates for {@code prompt} at temperature 0 within {@code maxTokens}. */
    static String of(String prompt, int maxTokens) {
        char last = prompt.charAt(prompt.length() - 1);
        StringBuilder text = new StringBuilder();
        for (char c = (char) (last + 1); c <= 'z' && text.length() < maxTokens; c++) {
            text.append(c);
        }
        return text.toString();
    }

    /** A prompt of one to six lowercase letters whose last letter has at least one successor. */
    static String prompt(RandomGenerator random) {
        int length = 1 + random.nextInt(6);
        StringBuilder p = new StringBuilder(length);
        for (int i = 0; i < length - 1; i++) {
            p.append((char) ('a' + random.nextInt(26)));
        }
        return p.append((char) ('a' + random.nextInt(25))).toString();
    }
}
