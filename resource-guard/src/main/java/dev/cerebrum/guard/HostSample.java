package dev.cerebrum.guard;

/**
 * One reading of the host.
 *
 * @param cpuPercent        system CPU use over the last sample interval, 0..100
 * @param availableRamBytes RAM available to new processes
 * @param totalRamBytes     physical RAM
 */
public record HostSample(double cpuPercent, long availableRamBytes, long totalRamBytes) {

    /** RAM in use: total minus available. */
    public long usedRamBytes() {
        return Math.max(0, totalRamBytes - availableRamBytes);
    }
}
