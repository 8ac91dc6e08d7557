package dev.cerebrum.engine.ffm;

/** What a slot is doing. */
public enum SlotPhase {
    /** No generation. */
    IDLE,
    /** Processing its prompt, one chunk per decode step. */
    PREFILLING,
    /** Generating, one token per decode step. */
    DECODING
}
