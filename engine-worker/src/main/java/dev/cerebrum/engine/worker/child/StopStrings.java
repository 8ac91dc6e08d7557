package dev.cerebrum.engine.worker.child;

import java.util.List;

/**
 * Stop strings over a stream of text pieces. Text is released only when it cannot be the start of a
 * stop string, so no part of a stop string is ever emitted; a surrogate pair is never split. Not
 * thread-safe: one per generation.
 */
public final class StopStrings {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean matched;

    /** A matcher for these stop strings (none: every piece passes at once). */
    public StopStrings(List<String> stops) {
        for (String stop : stops) {
            if (stop.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        this.stops = List.copyOf(stops);
    }

    /**
     * Adds a piece and returns the text that can be emitted now. When a stop string is complete,
     * {@link #matched()} turns true and the text returned ends where the stop string begins.
     */
    public String accept(String piece) {
        if (matched) {
            throw new IllegalStateException("a stop string has already matched");
        }
        if (stops.isEmpty()) {
            return piece;
        }
        pending.append(piece);
        int match = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (match < 0 || at < match)) {
                match = at;
            }
        }
        if (match >= 0) {
            matched = true;
            String text = pending.substring(0, match);
            pending.setLength(0);
            return text;
        }
        int cut = pending.length() - heldBack();
        if (cut > 0 && cut < pending.length() && Character.isLowSurrogate(pending.charAt(cut))
                && Character.isHighSurrogate(pending.charAt(cut - 1))) {
            cut--;
        }
        String text = pending.substring(0, cut);
        pending.delete(0, cut);
        return text;
    }

    /** True once a stop string has matched; the generation should end. */
    public boolean matched() {
        return matched;
    }

    /** The text held back at the end of a generation in which no stop string completed. */
    public String flush() {
        String text = pending.toString();
        pending.setLength(0);
        return text;
    }

    /** The length of the longest end of the pending text that begins some stop string. */
    private int heldBack() {
        int longest = 0;
        for (String stop : stops) {
            for (int length = Math.min(stop.length() - 1, pending.length()); length > longest; length--) {
                if (endsWithPrefix(stop, length)) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }

    private boolean endsWithPrefix(String stop, int length) {
        int start = pending.length() - length;
        for (int i = 0; i < length; i++) {
            if (pending.charAt(start + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
