package dev.cerebrum.guard;

import java.util.Objects;

/**
 * One reading of the host. The CPU figures are averages over the CPU window (see
 * {@link GuardSettings#cpuWindow()}); the RAM figures are read at the sample.
 *
 * @param cpuPercent        host-wide CPU use, 0..100, every process counted (the original's figure)
 * @param otherCpuPercent   the share of the CPU available to the backend that other processes take, 0..100:
 *                          what the CPU rule judges. Other processes are all but the server and its workers.
 * @param ownCpuPercent     the server's and its workers' CPU use, as a share of the CPU available to them, 0..100
 * @param availableRamBytes RAM available to new processes: the host's, or less under a cgroup memory limit
 * @param totalRamBytes     physical RAM, or the cgroup memory limit when it is lower
 * @param limits            which limits the figures are relative to
 */
public record HostSample(double cpuPercent, double otherCpuPercent, double ownCpuPercent, long availableRamBytes,
                         long totalRamBytes, HostLimits limits) {

    public HostSample {
        Objects.requireNonNull(limits, "limits");
    }

    /**
     * A reading that does not tell the backend's own CPU use apart: all of it counts as other processes'
     * load, and no cgroup limit applies. For probes that know only the host-wide figures.
     */
    public HostSample(double cpuPercent, long availableRamBytes, long totalRamBytes) {
        this(cpuPercent, cpuPercent, 0, availableRamBytes, totalRamBytes,
                HostLimits.host(Runtime.getRuntime().availableProcessors()));
    }

    /** RAM in use: total minus available. */
    public long usedRamBytes() {
        return Math.max(0, totalRamBytes - availableRamBytes);
    }
}
