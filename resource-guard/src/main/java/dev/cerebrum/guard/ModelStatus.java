package dev.cerebrum.guard;

import java.time.Duration;
import java.time.Instant;

/**
 * A model's state and counters at one moment.
 *
 * @param name              the registry name
 * @param state             where it is in its life
 * @param available         false when the entry is broken
 * @param reason            why it is unavailable or failed, else null
 * @param contextSize       total context in tokens
 * @param parallel          slots
 * @param threads           threads for generation and prompt processing
 * @param slotsBusy         slots generating
 * @param inFlight          generations admitted and running
 * @param queued            generations waiting for a slot
 * @param inferenceCount    finished generations
 * @param promptTokens      prompt tokens processed
 * @param completionTokens  tokens generated
 * @param lastUsed          end of the last generation, null if none
 * @param loadedAt          when the current load finished, null when not loaded
 * @param loadDuration      how long the last load took, null if never loaded
 * @param estimateBytes     RAM estimate, -1 when unknown
 * @param rssBytes          measured resident memory after the load, -1 when unknown
 * @param pinned            never evicted to make room
 * @param idleUnloadMinutes idle minutes before unload, 0 never
 */
public record ModelStatus(String name, ModelState state, boolean available, String reason, int contextSize,
                          int parallel, int threads, int slotsBusy, int inFlight, int queued, long inferenceCount,
                          long promptTokens, long completionTokens, Instant lastUsed, Instant loadedAt,
                          Duration loadDuration, long estimateBytes, long rssBytes, boolean pinned,
                          int idleUnloadMinutes) {

    /** True when the model is in memory and serving. */
    public boolean loaded() {
        return state == ModelState.READY;
    }
}
