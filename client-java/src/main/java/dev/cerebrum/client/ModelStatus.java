package dev.cerebrum.client;

import java.time.Instant;

/**
 * One entry of {@code models} in {@code GET /v1/models}. Numbers the server did not send are -1
 * ({@code NaN} for {@code loadMillis}); instants it did not send are null.
 *
 * @param name                model name
 * @param state               {@code unloaded}, {@code loading}, {@code ready}, {@code unloading} or {@code failed}
 * @param available           false when the registry entry is broken
 * @param reason              why it is not available, or null
 * @param contextSize         context size per slot
 * @param parallel            slots
 * @param threads             generation threads
 * @param slotsBusy           slots generating now
 * @param inFlight            generations admitted and not finished
 * @param queued              generations waiting for a slot
 * @param memoryEstimateBytes estimated memory
 * @param rssBytes            worker resident memory
 * @param lastUsed            last use, or null
 * @param loadedAt            load time, or null
 * @param loadMillis          how long the load took
 * @param pinned              never unloaded when idle
 * @param idleUnloadMinutes   idle minutes before unload
 * @param inferenceCount      finished generations
 */
public record ModelStatus(String name, String state, boolean available, String reason, int contextSize,
                          int parallel, int threads, int slotsBusy, int inFlight, int queued,
                          long memoryEstimateBytes, long rssBytes, Instant lastUsed, Instant loadedAt,
                          double loadMillis, boolean pinned, int idleUnloadMinutes, long inferenceCount) {
}
