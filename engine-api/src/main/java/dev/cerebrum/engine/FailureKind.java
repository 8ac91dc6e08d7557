package dev.cerebrum.engine;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What cut a generation short, carried by its {@link GenerationEvent.Finished}: consumers tell outcomes
 * apart by this, never by the error text. {@link #NONE} for a generation that ended by itself.
 */
public enum FailureKind {
    /** Not cut short: end of sequence, a stop string, or the token limit. */
    NONE(FinishReason.STOP, FinishReason.LENGTH),
    /** Its consumer cancelled it. */
    CANCELLED(FinishReason.CANCELLED),
    /** It waited for a free slot longer than the queue timeout and never ran. */
    QUEUE_TIMEOUT(FinishReason.ERROR),
    /** The slot's context filled up before the generation ended. */
    CONTEXT_FULL(FinishReason.LENGTH, FinishReason.ERROR),
    /** Its deadline passed. */
    DEADLINE(FinishReason.LENGTH, FinishReason.CANCELLED, FinishReason.ERROR),
    /** Its model was unloaded (a forced unload) while it waited or ran. */
    UNLOADED(FinishReason.CANCELLED, FinishReason.ERROR),
    /** The server is shutting down. */
    SHUTDOWN(FinishReason.CANCELLED, FinishReason.ERROR),
    /** The model's worker stopped, crashed or was killed (for example by a watchdog) while it ran. */
    WORKER_LOST(FinishReason.ERROR),
    /** It never got a slot: its model could not be loaded again after its worker was lost. */
    MODEL_UNAVAILABLE(FinishReason.ERROR),
    /** The engine failed otherwise. */
    ENGINE_FAILURE(FinishReason.ERROR);

    private final Set<FinishReason> reasons;

    FailureKind(FinishReason first, FinishReason... rest) {
        this.reasons = EnumSet.of(first, rest);
    }

    /** True when a generation that ended for {@code reason} may carry this kind. */
    public boolean allows(FinishReason reason) {
        return reasons.contains(reason);
    }

    /** The kind a final event has when its engine names none: derived from the finish reason alone. */
    public static FailureKind of(FinishReason reason) {
        return switch (reason) {
            case STOP, LENGTH -> NONE;
            case CANCELLED -> CANCELLED;
            case ERROR -> ENGINE_FAILURE;
        };
    }

    /** The lower-case name, for logs and metrics. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
