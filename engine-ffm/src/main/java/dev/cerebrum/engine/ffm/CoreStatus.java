package dev.cerebrum.engine.ffm;

import java.util.List;

/**
 * A snapshot of a {@link GenerationCore}.
 *
 * @param slots every slot, by index
 */
public record CoreStatus(List<SlotState> slots) {
    public CoreStatus {
        slots = List.copyOf(slots);
    }

    /** Slots that hold a generation. */
    public int busy() {
        return (int) slots.stream().filter(s -> s.phase() != SlotPhase.IDLE).count();
    }

    /** Slots in {@code phase}. */
    public int count(SlotPhase phase) {
        return (int) slots.stream().filter(s -> s.phase() == phase).count();
    }
}
