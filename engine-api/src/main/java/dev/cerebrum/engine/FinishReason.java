package dev.cerebrum.engine;

import java.util.Locale;

/** Why a generation ended. */
public enum FinishReason {
    /** End of sequence, or a stop string matched. */
    STOP,
    /** The token limit (max tokens or the slot's context) was reached. */
    LENGTH,
    /** The generation was cancelled by its consumer. */
    CANCELLED,
    /** The engine failed; the final event carries a message. */
    ERROR;

    /** The lower-case name used on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
