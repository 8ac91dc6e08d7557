package dev.cerebrum.guard;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A model's state and counters at one moment.
 *
 * @param name              the registry name
 * @param state             where it is in its life
 * @param available         false when the entry is broken
 * @param reason            why it is unavailable, failed or being reloaded, else null
 * @param contextSize       total context in tokens
 * @param parallel          slots
 * @param threads           threads for generation and prompt processing
 * @param slotsBusy         slots the engine holds for a generation (a cancelled one keeps its slot for at most one
 *                          more step)
 * @param inFlight          generations admitted and running, as the guard counts them
 * @param queued            generations waiting for a slot in the guard's queue (the only queue)
 * @param prefilling        running generations still processing their prompt, as the engine reports them
 * @param decoding          running generations generating tokens, as the engine reports them
 * @param inferenceCount    finished generations
 * @param promptTokens      prompt tokens processed
 * @param completionTokens  tokens generated
 * @param cachedTokens      prompt tokens found in a slot's cache and not processed again
 * @param lastUsed          end of the last generation, null if none
 * @param loadedAt          when the current load finished, null when not loaded
 * @param loadDuration      how long the last load took, null if never loaded
 * @param estimateBytes     RAM estimate, -1 when unknown
 * @param rssBytes          measured resident memory after the load, -1 when unknown
 * @param pinned            never evicted to make room
 * @param idleUnloadMinutes idle minutes before unload, 0 never
 */
public record ModelStatus(String name, ModelState state, boolean available, String reason, int contextSize,
                          int parallel, int threads, int slotsBusy, int inFlight, int queued, int prefilling,
                          int decoding, long inferenceCount, long promptTokens, long completionTokens,
                          long cachedTokens, Instant lastUsed, Instant loadedAt,
                          Duration loadDuration, long estimateBytes, long rssBytes, boolean pinned,
                          int idleUnloadMinutes) {

    public ModelStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
    }

    /** True when the model is in memory and serving. */
    public boolean loaded() {
        return state == ModelState.READY;
    }

    /** A builder for a status of this model in this state; every other field starts empty (0, -1 or null). */
    public static Builder builder(String name, ModelState state) {
        return new Builder(name, state);
    }

    /** A builder that starts from this status, to change some fields. */
    public Builder toBuilder() {
        return new Builder(name, state).available(available).reason(reason)
                .config(contextSize, parallel, threads).slotsBusy(slotsBusy).inFlight(inFlight).queued(queued)
                .phases(prefilling, decoding).usage(inferenceCount, promptTokens, completionTokens, lastUsed)
                .cachedTokens(cachedTokens)
                .load(loadedAt, loadDuration, estimateBytes, rssBytes).residency(pinned, idleUnloadMinutes);
    }

    /** Builds a {@link ModelStatus}; the setters group the fields that are known together. */
    public static final class Builder {
        private final String name;
        private ModelState state;
        private boolean available = true;
        private String reason;
        private int contextSize;
        private int parallel;
        private int threads;
        private int slotsBusy;
        private int inFlight;
        private int queued;
        private int prefilling;
        private int decoding;
        private long inferenceCount;
        private long promptTokens;
        private long completionTokens;
        private long cachedTokens;
        private Instant lastUsed;
        private Instant loadedAt;
        private Duration loadDuration;
        private long estimateBytes = -1;
        private long rssBytes = -1;
        private boolean pinned;
        private int idleUnloadMinutes;

        private Builder(String name, ModelState state) {
            this.name = name;
            this.state = state;
        }

        /** Where the model is in its life. */
        public Builder state(ModelState v) {
            this.state = v;
            return this;
        }

        /** False when the entry is broken. */
        public Builder available(boolean v) {
            this.available = v;
            return this;
        }

        /** Why it is unavailable, failed or reloading; null for none. */
        public Builder reason(String v) {
            this.reason = v;
            return this;
        }

        /** Context in tokens, slots and threads. */
        public Builder config(int contextSize, int parallel, int threads) {
            this.contextSize = contextSize;
            this.parallel = parallel;
            this.threads = threads;
            return this;
        }

        /** Slots the engine holds for a generation. */
        public Builder slotsBusy(int v) {
            this.slotsBusy = v;
            return this;
        }

        /** Generations admitted and running. */
        public Builder inFlight(int v) {
            this.inFlight = v;
            return this;
        }

        /** Generations waiting for a slot. */
        public Builder queued(int v) {
            this.queued = v;
            return this;
        }

        /** Running generations still processing their prompt, and those generating tokens. */
        public Builder phases(int prefilling, int decoding) {
            this.prefilling = prefilling;
            this.decoding = decoding;
            return this;
        }

        /** Prompt tokens found in a slot's cache and not processed again. */
        public Builder cachedTokens(long v) {
            this.cachedTokens = v;
            return this;
        }

        /** Finished generations, their prompt and completion tokens, and the end of the last one. */
        public Builder usage(long inferenceCount, long promptTokens, long completionTokens, Instant lastUsed) {
            this.inferenceCount = inferenceCount;
            this.promptTokens = promptTokens;
            this.completionTokens = completionTokens;
            this.lastUsed = lastUsed;
            return this;
        }

        /** When the current load finished, how long the last took, the RAM estimate and the measured RSS. */
        public Builder load(Instant loadedAt, Duration loadDuration, long estimateBytes, long rssBytes) {
            this.loadedAt = loadedAt;
            this.loadDuration = loadDuration;
            this.estimateBytes = estimateBytes;
            this.rssBytes = rssBytes;
            return this;
        }

        /** Whether it is pinned, and its idle minutes before unload. */
        public Builder residency(boolean pinned, int idleUnloadMinutes) {
            this.pinned = pinned;
            this.idleUnloadMinutes = idleUnloadMinutes;
            return this;
        }

        /** The status. */
        public ModelStatus build() {
            return new ModelStatus(name, state, available, reason, contextSize, parallel, threads, slotsBusy, inFlight,
                    queued, prefilling, decoding, inferenceCount, promptTokens, completionTokens, cachedTokens, lastUsed,
                    loadedAt, loadDuration, estimateBytes, rssBytes, pinned, idleUnloadMinutes);
        }
    }
}
