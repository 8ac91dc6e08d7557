package dev.cerebrum.engine.ffm;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextAssemblerTest {

    /** Feeds each piece and returns what became visible after each one. */
    private static List<String> feed(TextAssembler text, byte[]... pieces) {
        List<String> shown = new ArrayList<>();
        for (byte[] piece : pieces) {
            shown.add(text.add(piece, piece.length));
        }
        return shown;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void withoutStops_eachPieceIsShownAtOnce_andCounted() {
        TextAssembler text = new TextAssembler(List.of());
        assertEquals(List.of("d", "ef", "g"), feed(text, utf8("d"), utf8("ef"), utf8("g")));
        assertEquals(3, text.countedTokens());
        assertEquals("", text.flush());
    }

    @Test
    void aCharacterSplitAcrossTokens_isHeldUntilComplete() {
        // given "é" (C3 A9) and "€" (E2 82 AC) split over several tokens
        TextAssembler text = new TextAssembler(List.of());
        byte[] e = utf8("é");
        byte[] euro = utf8("€");

        List<String> shown = feed(text, new byte[]{e[0]}, new byte[]{e[1], euro[0]}, new byte[]{euro[1]}, new byte[]{euro[2]});

        // then no half character is ever shown
        assertEquals(List.of("", "é", "", "€"), shown);
        assertEquals(4, text.countedTokens());
    }

    @Test
    void anIncompleteCharacterAtTheEnd_isDroppedAtTheFlush_neverShownInPart() {
        TextAssembler text = new TextAssembler(List.of());
        assertEquals("a", text.add(new byte[]{'a', (byte) 0xE2, (byte) 0x82}, 3));
        assertEquals("", text.flush());
        assertEquals(1, text.countedTokens());
    }

    @Test
    void aStopStringAcrossTokens_isNeverShown_andItsTokensAreNotCounted() {
        // given the stop "fgh" arriving one letter per token
        TextAssembler text = new TextAssembler(List.of("fgh"));

        List<String> shown = feed(text, utf8("d"), utf8("e"), utf8("f"), utf8("g"), utf8("h"));

        // then "f" and "g" are held back, and the match shows nothing of the stop string
        assertEquals(List.of("d", "e", "", "", ""), shown);
        assertTrue(text.stopped());
        assertEquals(2, text.countedTokens());
        assertEquals("", text.flush());
        assertThrows(IllegalStateException.class, () -> text.add(utf8("i"), 1));
    }

    @Test
    void heldTextThatStopsMatching_isReleasedWithTheNextPiece() {
        TextAssembler text = new TextAssembler(List.of("efx"));

        List<String> shown = feed(text, utf8("d"), utf8("e"), utf8("f"), utf8("g"));

        assertEquals(List.of("d", "", "", "efg"), shown);
        assertFalse(text.stopped());
        assertEquals(4, text.countedTokens());
    }

    @Test
    void textBeforeAStopInsideOneToken_isShown_andThatTokenCounted() {
        TextAssembler text = new TextAssembler(List.of("<|"));

        List<String> shown = feed(text, utf8("ab"), utf8("c<|x"));

        assertEquals(List.of("ab", "c"), shown);
        assertTrue(text.stopped());
        assertEquals(2, text.countedTokens());
    }

    @Test
    void theEarliestOfSeveralStops_wins() {
        TextAssembler text = new TextAssembler(List.of("yz", "xy"));
        assertEquals("w", text.add(utf8("wxyz"), 4));
        assertTrue(text.stopped());
    }

    @Test
    void heldTextAtTheEnd_isFlushedWhenNoStopMatched() {
        TextAssembler text = new TextAssembler(List.of("jkl"));
        assertEquals(List.of("i", ""), feed(text, utf8("i"), utf8("j")));
        assertEquals("j", text.flush());
        assertEquals(2, text.countedTokens());
    }

    @Test
    void emptyPieces_countOnlyWhenTextFollows() {
        TextAssembler text = new TextAssembler(List.of());
        assertEquals(List.of("", "a", ""), feed(text, new byte[0], utf8("a"), new byte[0]));
        assertEquals(2, text.countedTokens());
        assertEquals(3, text.tokens());
    }

    @Test
    void multiByteStopStrings_matchWholeCharacters() {
        TextAssembler text = new TextAssembler(List.of("é!"));
        byte[] e = utf8("é");
        assertEquals(List.of("a", "", "", ""), feed(text, utf8("a"), new byte[]{e[0]}, new byte[]{e[1]}, utf8("!")));
        assertTrue(text.stopped());
        assertEquals(1, text.countedTokens());
    }

    @Test
    void completeUtf8Prefix_holdsOnlyAnIncompleteLastCharacter() {
        assertEquals(3, TextAssembler.completeUtf8Prefix(utf8("abc"), 3));
        byte[] euro = utf8("a€");
        assertEquals(1, TextAssembler.completeUtf8Prefix(euro, 3));
        assertEquals(4, TextAssembler.completeUtf8Prefix(euro, 4));
        byte[] emoji = utf8("😀");
        assertEquals(0, TextAssembler.completeUtf8Prefix(emoji, 3));
        assertEquals(4, TextAssembler.completeUtf8Prefix(emoji, 4));
        // a stray continuation byte is not a character to wait for
        assertEquals(1, TextAssembler.completeUtf8Prefix(new byte[]{(byte) 0x80}, 1));
    }
}
