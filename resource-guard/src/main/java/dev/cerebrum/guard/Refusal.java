package dev.cerebrum.guard;

import java.util.Locale;

/** Why the guard refused new work; counted in {@link ModelManager#refusals()}. */
public enum Refusal {
    /** Other processes' CPU use is above the limit. */
    CPU,
    /** A load would leave too little RAM. */
    MEMORY,
    /** Every slot of the model is busy and its queue is full. */
    QUEUE_FULL,
    /** The cap on loaded models is reached and none can be evicted. */
    MAX_MODELS;

    /** The lower-case name used on the wire ({@code refusals} keys, the metrics' {@code reason} tag). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
