package dev.cerebrum.guard;

/**
 * The limits the guard's figures are relative to: the host, or the cgroup the backend runs in.
 *
 * @param hostCores        the host's logical CPUs
 * @param cpu              {@link LimitSource#CGROUP} when a CPU quota applies
 * @param cpuAllowedCores  the cores the backend may use: the quota ({@code cpu.max}), else the host's cores
 * @param memory           {@link LimitSource#CGROUP} when a memory limit applies
 * @param memoryLimitBytes the tightest cgroup memory limit, or -1 without one
 * @param memoryInUseBytes the working set (usage less inactive page cache) under that limit, or -1 without one
 */
public record HostLimits(int hostCores, LimitSource cpu, double cpuAllowedCores, LimitSource memory,
                         long memoryLimitBytes, long memoryInUseBytes) {

    public HostLimits {
        if (hostCores < 1) {
            throw new IllegalArgumentException("host cores must be at least 1, was " + hostCores);
        }
        if (cpu == null || memory == null) {
            throw new IllegalArgumentException("the limit sources are required");
        }
        if (!(cpuAllowedCores > 0 && cpuAllowedCores <= hostCores)) {
            throw new IllegalArgumentException("allowed cores must be in (0, " + hostCores + "], was "
                    + cpuAllowedCores);
        }
        if (cpu == LimitSource.HOST && cpuAllowedCores != hostCores) {
            throw new IllegalArgumentException("without a quota the allowed cores are the host's");
        }
        if ((memory == LimitSource.CGROUP) != (memoryLimitBytes >= 0)) {
            throw new IllegalArgumentException("a memory limit is given exactly when the cgroup limits memory");
        }
    }

    /** No cgroup limit: the whole host. */
    public static HostLimits host(int hostCores) {
        return new HostLimits(hostCores, LimitSource.HOST, hostCores, LimitSource.HOST, -1, -1);
    }
}
