package dev.cerebrum.bench;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptsTest {
    /** Counts as the random model's SentencePiece vocabulary does: BOS, then a boundary and a letter per letter. */
    private static final ToIntFunction<String> SPM = text -> 1 + (" " + text).length();

    @Test
    void spaced_hasTheLettersAskedFor_andVariantsDifferInTheirFirstTwoLetters() {
        String a = Prompts.spaced(10, 0);
        assertEquals(19, a.length());
        assertTrue(a.matches("[a-z]( [a-z]){9}"));
        Set<String> starts = new HashSet<>();
        for (int v = 0; v < Prompts.DISTINCT_VARIANTS; v++) {
            starts.add(Prompts.spaced(5, v).substring(0, 3));
        }
        assertEquals(Prompts.DISTINCT_VARIANTS, starts.size());
    }

    @Test
    void fit_findsTheExactTokenCount_forEvenAndOddTargets() {
        for (int target : new int[]{512, 511, 128, 33}) {
            Prompts.Shape shape = Prompts.fit(target, SPM);
            assertEquals(target, SPM.applyAsInt(shape.text(7)), "target " + target);
        }
    }

    @Test
    void fit_withACounterThatNeverHitsTheTarget_returnsTheClosestBelow() {
        // given a tokenizer that counts 3 tokens per letter: only multiples of 3 (+1) exist
        ToIntFunction<String> three = text -> 1 + 3 * (int) text.chars().filter(Character::isLetter).count();
        Prompts.Shape shape = Prompts.fit(32, three);
        assertEquals(31, three.applyAsInt(shape.text(0)));
    }
}
