package dev.cerebrum.guard;

/**
 * The cgroup limits of this process at one moment, as {@link CgroupReader} finds them.
 *
 * @param memoryLimitBytes    the limit that leaves the least headroom, or -1 when no level limits memory
 * @param memoryInUseBytes    the working set under that limit (usage less inactive page cache), or -1
 * @param memoryHeadroomBytes what may still be allocated before that limit, or {@link Long#MAX_VALUE}
 * @param cpuQuotaCores       the tightest CPU quota in cores ({@code cpu.max} quota / period), or 0 for none
 */
record CgroupReading(long memoryLimitBytes, long memoryInUseBytes, long memoryHeadroomBytes, double cpuQuotaCores) {
    /** No limits at all: no cgroup, or none set. */
    static final CgroupReading NONE = new CgroupReading(-1, -1, Long.MAX_VALUE, 0);

    boolean limitsMemory() {
        return memoryLimitBytes >= 0;
    }

    boolean limitsCpu() {
        return cpuQuotaCores > 0;
    }
}
