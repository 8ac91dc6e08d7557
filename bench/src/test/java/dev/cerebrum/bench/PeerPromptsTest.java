package dev.cerebrum.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerPromptsTest {

    /** The random model's count: BOS, then a word boundary and a letter per letter, a trailing space one more. */
    private static int tokens(String prompt) {
        int letters = (int) prompt.chars().filter(Character::isLetter).count();
        return 1 + 2 * letters + (prompt.endsWith(" ") ? 1 : 0);
    }

    @Test
    void ofTokens_hasTheAskedLength_forOddAndEvenCounts() {
        assertEquals(2000, tokens(PeerPrompts.ofTokens(2000, 3)));
        assertEquals(1001, tokens(PeerPrompts.ofTokens(1001, 3)));
        assertEquals(5, tokens(PeerPrompts.ofTokens(5, 0)));
    }

    @Test
    void repeated_sharesEverythingButTheLastLine() {
        List<String> pair = PeerPrompts.repeated(1000, 7, 8, 9);
        String first = pair.get(0);
        String second = pair.get(1);
        assertEquals(first.length(), second.length());
        int cut = first.lastIndexOf('\n') + 1;
        assertTrue(cut > first.length() * 9 / 10, "the last line is short");
        assertEquals(first.substring(0, cut), second.substring(0, cut));
        assertNotEquals(first.substring(cut), second.substring(cut));
        // prefix and line letters: about 1000 tokens, the newline one more
        int letters = (int) first.chars().filter(Character::isLetter).count();
        assertTrue(Math.abs(1 + 2 * letters - 1000) <= 2, "about 1000 tokens, was " + (1 + 2 * letters));
        assertThrows(IllegalArgumentException.class, () -> PeerPrompts.repeated(1000, 7, 8, 8));
    }

    @Test
    void digits_spellsTheNumber_withNoLetterAMeasuredPromptCouldShare() {
        assertEquals("4 0 7", PeerPrompts.digits(407));
        assertEquals("0", PeerPrompts.digits(0));
        for (int n = 0; n < 5000; n += 37) {
            assertTrue(PeerPrompts.digits(n).chars().noneMatch(Character::isLetter), PeerPrompts.digits(n));
        }
        assertTrue(PeerPrompts.ofTokens(5, 0).chars().allMatch(c -> Character.isLetter(c) || c == ' '));
    }
}
