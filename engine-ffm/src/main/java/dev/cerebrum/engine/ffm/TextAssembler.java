package dev.cerebrum.engine.ffm;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the byte pieces of sampled tokens into the text a client may see, one generation at a time:
 * <ul>
 *   <li>never splits a UTF-8 character: an incomplete sequence at the end is held back until it completes;</li>
 *   <li>never emits any part of a stop string: text that could be the start of a stop string is held back
 *       until it either completes the stop string (generation stops; the stop string and anything after it
 *       are dropped) or can no longer match (it is emitted);</li>
 *   <li>counts completion tokens as the tokens of the returned text: every token up to the last one that put
 *       at least one byte into it. A matched stop string's own tokens and the end-of-generation token are
 *       therefore not counted. (A generation cut by a limit counts every token it sampled instead, see
 *       {@link Sequence}.)</li>
 * </ul>
 * Not thread-safe: one generation's decode thread uses it.
 */
final class TextAssembler {

    /** The stop strings in UTF-8: matching bytes is matching text, and never splits a character. */
    private final byte[][] stops;

    /** Bytes not emitted yet. */
    private byte[] pending = new byte[64];
    private int pendingLength;
    /** Bytes of all tokens so far, and bytes emitted (the returned text). */
    private long totalBytes;
    private long emittedBytes;
    /** The byte offset where each token's piece starts. */
    private long[] tokenStarts = new long[64];
    private int tokens;
    private int counted;
    private boolean stopped;

    TextAssembler(List<String> stops) {
        this.stops = stops.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    /**
     * Adds the next token's piece, {@code bytes[0..length)}, and returns the text that may be shown now (often
     * empty). After a stop string matched, {@link #stopped()} is true and no more pieces may be added.
     */
    String add(byte[] bytes, int length) {
        if (stopped) {
            throw new IllegalStateException("a stop string matched already");
        }
        if (tokens == tokenStarts.length) {
            tokenStarts = Arrays.copyOf(tokenStarts, tokens * 2);
        }
        tokenStarts[tokens++] = totalBytes;
        totalBytes += length;
        if (pendingLength + length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + length));
        }
        System.arraycopy(bytes, 0, pending, pendingLength, length);
        pendingLength += length;

        int complete = completeUtf8Prefix(pending, pendingLength);
        int stopAt = firstStop(complete);
        if (stopAt >= 0) {
            stopped = true;
            return emit(stopAt);
        }
        return emit(complete - heldForStops(complete));
    }

    /**
     * The end of the generation without a stop string (end of generation, a limit): everything held back for
     * stop strings is released; an incomplete UTF-8 sequence at the very end (a limit that cut a character
     * spelt in several tokens) is dropped, never shown in part. Returns that text, often empty.
     */
    String flush() {
        if (stopped || pendingLength == 0) {
            return "";
        }
        return emit(completeUtf8Prefix(pending, pendingLength));
    }

    /** True once a stop string matched. */
    boolean stopped() {
        return stopped;
    }

    /** Completion tokens of the text emitted so far. */
    int countedTokens() {
        return counted;
    }

    /** Tokens added, emitted or not. */
    int tokens() {
        return tokens;
    }

    /** Emits the first {@code bytes} pending bytes (which end on a character boundary) as text. */
    private String emit(int bytes) {
        if (bytes == 0) {
            return "";
        }
        String text = new String(pending, 0, bytes, StandardCharsets.UTF_8);
        emittedBytes += bytes;
        pendingLength -= bytes;
        System.arraycopy(pending, bytes, pending, 0, pendingLength);
        while (counted < tokens && tokenStarts[counted] < emittedBytes) {
            counted++;
        }
        return text;
    }

    /** Where the earliest stop string starts in {@code pending[0..length)}, or -1. */
    private int firstStop(int length) {
        int first = -1;
        for (byte[] stop : stops) {
            int at = indexOf(pending, length, stop);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    private static int indexOf(byte[] text, int length, byte[] part) {
        for (int i = 0; i + part.length <= length; i++) {
            if (Arrays.equals(text, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        return -1;
    }

    /** The length of the longest end of {@code pending[0..length)} that is the beginning of a stop string. */
    private int heldForStops(int length) {
        int held = 0;
        for (byte[] stop : stops) {
            for (int n = Math.min(length, stop.length - 1); n > held; n--) {
                if (Arrays.equals(pending, length - n, length, stop, 0, n)) {
                    held = n;
                    break;
                }
            }
        }
        return held;
    }

    /** How many leading bytes of {@code b[0..length)} end on a character boundary (an incomplete last character is held). */
    static int completeUtf8Prefix(byte[] b, int length) {
        int i = length - 1;
        int continuation = 0;
        while (i >= 0 && continuation < 3 && (b[i] & 0xC0) == 0x80) {
            i--;
            continuation++;
        }
        if (i < 0) {
            return length;
        }
        int lead = b[i] & 0xFF;
        int needed = lead >= 0xF8 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        return length - i < needed ? i : length;
    }
}
