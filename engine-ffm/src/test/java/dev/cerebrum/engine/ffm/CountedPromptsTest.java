package dev.cerebrum.engine.ffm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CountedPromptsTest {

    @Test
    void take_returnsTheCountedTokensOnce() {
        CountedPrompts counted = new CountedPrompts(100);
        counted.put("a prompt", new int[]{1, 2, 3});

        assertArrayEquals(new int[]{1, 2, 3}, counted.take(new String("a prompt")));
        assertNull(counted.take("a prompt"));
        assertNull(counted.take("never counted"));
    }

    @Test
    void beyondMaxEntries_theOldestGoes() {
        CountedPrompts counted = new CountedPrompts(1_000);
        for (int i = 0; i <= CountedPrompts.MAX_ENTRIES; i++) {
            counted.put("prompt " + i, new int[]{i});
        }

        assertNull(counted.take("prompt 0"));
        assertArrayEquals(new int[]{1}, counted.take("prompt 1"));
        assertArrayEquals(new int[]{CountedPrompts.MAX_ENTRIES}, counted.take("prompt " + CountedPrompts.MAX_ENTRIES));
    }

    @Test
    void beyondMaxTokens_theOldestGo_andAPromptLongerThanTheBoundIsNotKept() {
        CountedPrompts counted = new CountedPrompts(10);
        counted.put("first", new int[4]);
        counted.put("second", new int[4]);
        counted.put("third", new int[4]);
        counted.put("too long", new int[11]);

        assertNull(counted.take("first"));
        assertNull(counted.take("too long"));
        assertArrayEquals(new int[4], counted.take("second"));
        assertArrayEquals(new int[4], counted.take("third"));
    }

    @Test
    void countingTheSamePromptAgain_keepsOneEntryAndItsTokensOnce() {
        CountedPrompts counted = new CountedPrompts(8);
        counted.put("same", new int[4]);
        counted.put("same", new int[]{7, 7, 7, 7});
        counted.put("other", new int[4]);

        assertArrayEquals(new int[]{7, 7, 7, 7}, counted.take("same"));
        assertArrayEquals(new int[4], counted.take("other"));
    }
}
