package dev.cerebrum.guard;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * CPU use averaged over a sliding window, from cumulative counters read at each sample: the figure is the
 * difference between the newest reading and the newest one at least a window old. So it is the mean over
 * the last window, and one busy or quiet sample moves it by only its share of the window: a one-second
 * spike in a five-second window counts one fifth. Until the first full window has passed, the time before
 * the first reading counts as idle, so that a spike at start-up is judged the same way.
 */
final class CpuWindow {
    /**
     * Cumulative counters at one moment, in milliseconds of CPU time summed over all cores.
     *
     * @param nanos       when ({@link System#nanoTime()})
     * @param busyMillis  host busy time (all but idle and I/O wait)
     * @param totalMillis host time in every state
     * @param ownMillis   the backend's processes' CPU time
     */
    record Reading(long nanos, long busyMillis, long totalMillis, long ownMillis) {
    }

    private final long windowNanos;
    private final ArrayDeque<Reading> readings = new ArrayDeque<>();

    CpuWindow(Duration window, Reading first) {
        this.windowNanos = window.toNanos();
        readings.add(first);
    }

    /** Adds a newer reading and forgets those no longer needed for the window. */
    synchronized void add(Reading r) {
        if (r.nanos() <= readings.getLast().nanos()) {
            return;
        }
        readings.addLast(r);
        long cutoff = r.nanos() - windowNanos;
        while (readings.size() > 1 && secondOldest().nanos() <= cutoff) {
            readings.removeFirst();
        }
    }

    /** The average over the window, relative to {@code allowedCores} of the host's {@code hostCores}. */
    synchronized CpuLoad load(int hostCores, double allowedCores) {
        Reading base = readings.getFirst();
        Reading head = readings.getLast();
        double busy = Math.max(0, head.busyMillis() - base.busyMillis());
        double own = Math.max(0, head.ownMillis() - base.ownMillis());
        double total = Math.max(0, head.totalMillis() - base.totalMillis());
        // Core-milliseconds the window held: what the ticks say, at least a full window of every core.
        double capacity = Math.max(total, windowNanos / 1e6 * hostCores);
        return CpuLoad.of(busy / capacity * hostCores, own / capacity * hostCores, hostCores, allowedCores);
    }

    private Reading secondOldest() {
        var it = readings.iterator();
        it.next();
        return it.next();
    }
}
