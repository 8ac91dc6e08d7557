package dev.cerebrum.engine.ffm;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tokens of prompts that were counted and not yet submitted, so that a prompt is tokenised once: the guard
 * counts a prompt before it queues it, and the worker engine counts each prompt before it sends it. A submission
 * takes its prompt's entry. Bounded in entries and in tokens; the oldest entries go first. Thread-safe.
 */
final class CountedPrompts {

    static final int MAX_ENTRIES = 16;

    private final long maxTokens;
    private final Map<String, int[]> entries = new LinkedHashMap<>();
    private long tokens;

    /** @param maxTokens the most tokens kept over all entries */
    CountedPrompts(long maxTokens) {
        this.maxTokens = maxTokens;
    }

    synchronized void put(String text, int[] prompt) {
        if (prompt.length > maxTokens) {
            return;
        }
        int[] replaced = entries.remove(text);
        if (replaced != null) {
            tokens -= replaced.length;
        }
        entries.put(text, prompt);
        tokens += prompt.length;
        Iterator<int[]> oldest = entries.values().iterator();
        while (entries.size() > MAX_ENTRIES || tokens > maxTokens) {
            tokens -= oldest.next().length;
            oldest.remove();
        }
    }

    /** The tokens counted for {@code text}, removed from here; null when it was not counted or not kept. */
    synchronized int[] take(String text) {
        int[] prompt = entries.remove(text);
        if (prompt != null) {
            tokens -= prompt.length;
        }
        return prompt;
    }
}
