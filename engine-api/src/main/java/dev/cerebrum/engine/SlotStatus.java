package dev.cerebrum.engine;

/**
 * How the parallel slots of a loaded model are used.
 *
 * @param total   slots the model has
 * @param busy    slots generating (or still finishing a cancelled generation)
 * @param waiting generations waiting for a slot
 */
public record SlotStatus(int total, int busy, int waiting) {
    /** Slots free to start a generation now. */
    public int free() {
        return Math.max(0, total - busy);
    }
}
