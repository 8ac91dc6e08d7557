package dev.cerebrum.client;

import java.util.Locale;

/** Why a generation ended, as the server reports it in {@code finish_reason}. */
public enum FinishReason {
    /** End of sequence, or a stop string matched. */
    STOP,
    /** The token limit (max tokens or the slot's context) was reached. */
    LENGTH,
    /** The generation was cancelled on the server. */
    CANCELLED,
    /** The engine failed. */
    ERROR,
    /** The server sent no reason, or one this client does not know. */
    UNKNOWN;

    /** The constant for a wire value; {@link #UNKNOWN} for null or an unknown value. */
    public static FinishReason fromWire(String value) {
        if (value == null) {
            return UNKNOWN;
        }
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
