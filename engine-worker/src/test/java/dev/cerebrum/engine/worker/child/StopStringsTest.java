package dev.cerebrum.engine.worker.child;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopStringsTest {

    /** Feeds the pieces; returns what was emitted piece by piece, and the held text when no stop matched. */
    private static List<String> run(List<String> stops, String... pieces) {
        StopStrings matcher = new StopStrings(stops);
        List<String> out = new ArrayList<>();
        for (String piece : pieces) {
            out.add(matcher.accept(piece));
            if (matcher.matched()) {
                return out;
            }
        }
        out.add("flush:" + matcher.flush());
        return out;
    }

    @Test
    void withoutStopStrings_everyPiecePassesAtOnce() {
        assertEquals(List.of("ab", "c", "flush:"), run(List.of(), "ab", "c"));
    }

    @Test
    void stopStringAcrossPieces_isHeldBack_andNeverEmitted() {
        // "d" "e" "f" "g" with stop "fg": "f" might begin the stop string, so it waits; "g" completes it.
        assertEquals(List.of("d", "e", "", ""), run(List.of("fg"), "d", "e", "f", "g"));
    }

    @Test
    void stopStringInsideOnePiece_cutsThatPiece() {
        assertEquals(List.of("ab", "x"), run(List.of("fg"), "ab", "xfgh"));
    }

    @Test
    void heldTextThatTurnsOutNotToBeAStop_isReleased() {
        assertEquals(List.of("d", "", "fe", "flush:"), run(List.of("fg"), "d", "f", "e"));
    }

    @Test
    void heldTextAtTheEnd_isReturnedByFlush() {
        assertEquals(List.of("d", "", "flush:f"), run(List.of("fg"), "d", "f"));
    }

    @Test
    void earliestOfSeveralStops_wins() {
        assertEquals(List.of("a"), run(List.of("cd", "bcx", "b"), "abcd"));
    }

    @Test
    void longestPossibleBeginning_isHeld() {
        // "aba" and "abab" could still become "ababc", so nothing is released; then "x" rules that out,
        // and the "abc" that follows is cut off.
        assertEquals(List.of("", "", "ababx"), run(List.of("ababc", "abc"), "aba", "b", "xabc"));
    }

    @Test
    void surrogatePair_isNeverSplit() {
        String grin = "\uD83D\uDE00";
        StopStrings matcher = new StopStrings(List.of("\uDE00x"));
        String out = matcher.accept("a" + grin);

        assertEquals("a", out, "the low surrogate may begin the stop string, but the pair stays whole");
        assertEquals(grin, matcher.flush());
    }

    @Test
    void multiByteStopString_matchesAcrossPieces() {
        assertEquals(List.of("ok", "", ""), run(List.of("😀!"), "ok", "😀", "!"));
    }

    @Test
    void afterAMatch_moreInputIsRefused() {
        StopStrings matcher = new StopStrings(List.of("x"));
        matcher.accept("ax");
        assertTrue(matcher.matched());
        assertThrows(IllegalStateException.class, () -> matcher.accept("b"));
    }

    @Test
    void emptyStopString_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StopStrings(List.of("")));
        assertFalse(new StopStrings(List.of("a")).matched());
    }
}
