package dev.cerebrum.engine;

/**
 * How the parallel slots of a loaded model are used. An engine never queues: it runs the generations it is
 * given on free slots and refuses the rest ({@link NoFreeSlotException}); the caller's scheduler queues.
 *
 * @param total      slots the model has
 * @param busy       slots holding a generation (or still finishing a cancelled one)
 * @param prefilling busy slots still processing their prompt
 * @param decoding   busy slots generating tokens
 */
public record SlotStatus(int total, int busy, int prefilling, int decoding) {
    public SlotStatus {
        if (total < 0 || busy < 0 || prefilling < 0 || decoding < 0 || prefilling + decoding > busy) {
            throw new IllegalArgumentException("inconsistent slot counts: total " + total + ", busy " + busy
                    + ", prefilling " + prefilling + ", decoding " + decoding);
        }
    }

    /** Slots free to start a generation now. */
    public int free() {
        return Math.max(0, total - busy);
    }
}
