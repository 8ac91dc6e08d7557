package dev.cerebrum.engine.ffm;

import java.util.Objects;

/**
 * One slot of a {@link GenerationCore} at one moment.
 *
 * @param slot             the slot index, which is also its llama.cpp sequence id
 * @param phase            what it is doing
 * @param promptTokens     the prompt tokens of its generation (0 when idle)
 * @param promptProcessed  prompt tokens processed so far
 * @param completionTokens tokens sampled so far
 */
public record SlotState(int slot, SlotPhase phase, int promptTokens, int promptProcessed, int completionTokens) {
    public SlotState {
        Objects.requireNonNull(phase, "phase");
    }
}
