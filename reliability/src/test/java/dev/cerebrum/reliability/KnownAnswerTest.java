package dev.cerebrum.reliability;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KnownAnswerTest {
    @Test
    void theDemoModelContinuesTheLastLetter_andStopsAtZ() {
        assertEquals("defghijk", KnownAnswer.of("abc", 8));
        assertEquals("xyz", KnownAnswer.of("w", 8));
        assertEquals("vwxyz", KnownAnswer.of("stu", 100));
        assertEquals("b", KnownAnswer.of("qa", 1));
    }

    @Test
    void prompts_alwaysHaveAnAnswer() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            String p = KnownAnswer.prompt(random);
            assertTrue(p.matches("[a-z]{1,6}"), p);
            assertFalse(KnownAnswer.of(p, 1).isEmpty(), p);
        }
    }
}
