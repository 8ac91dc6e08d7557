package dev.cerebrum.guard;

import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;

import java.time.Duration;

/**
 * Reads the host with OSHI and the process's cgroup limits with {@link CgroupReader}: CPU use over a
 * sliding window, split into the backend's own (this process and its descendants) and other processes',
 * and the RAM available, under a cgroup memory limit when one is tighter than the host.
 */
final class OshiHostProbe implements HostProbe {
    // OSHI memoises tick readings for about 300 ms: a reading sooner than this after the last one would be stale.
    private static final long MIN_INTERVAL_NANOS = 350_000_000L;

    private final CentralProcessor processor;
    private final GlobalMemory memory;
    private final ProcessTreeCpu own;
    private final CgroupReader cgroup;
    private final CpuWindow window;
    private final int hostCores;
    private long previousNanos;

    OshiHostProbe(Duration cpuWindow) {
        SystemInfo system = new SystemInfo();
        this.processor = system.getHardware().getProcessor();
        this.memory = system.getHardware().getMemory();
        var os = system.getOperatingSystem();
        this.own = new ProcessTreeCpu(os, os.getProcessId());
        this.cgroup = CgroupReader.system();
        this.hostCores = Math.max(1, processor.getLogicalProcessorCount());
        this.previousNanos = System.nanoTime();
        this.window = new CpuWindow(cpuWindow, reading(previousNanos));
    }

    /** A new sample. A reading the platform cannot give throws; the guard's monitor keeps the previous one. */
    @Override
    public synchronized HostSample sample() {
        CgroupReading limits = cgroup.read();
        long now = System.nanoTime();
        if (now - previousNanos >= MIN_INTERVAL_NANOS) {
            window.add(reading(now));
            previousNanos = now;
        }
        return sample(window.load(hostCores, allowedCores(limits)), limits);
    }

    @Override
    public long availableRamBytes() {
        return Math.min(memory.getAvailable(), cgroup.read().memoryHeadroomBytes());
    }

    @Override
    public HostLimits limitsNow() {
        return limits(cgroup.read());
    }

    private CpuWindow.Reading reading(long nanos) {
        long ownMillis = own.totalMillis();
        long[] ticks = processor.getSystemCpuLoadTicks();
        long total = 0;
        for (long t : ticks) {
            total += t;
        }
        long idle = ticks[CentralProcessor.TickType.IDLE.getIndex()]
                + ticks[CentralProcessor.TickType.IOWAIT.getIndex()];
        return new CpuWindow.Reading(nanos, total - idle, total, ownMillis);
    }

    private double allowedCores(CgroupReading limits) {
        return limits.limitsCpu() ? Math.min(hostCores, limits.cpuQuotaCores()) : hostCores;
    }

    private HostLimits limits(CgroupReading limits) {
        return new HostLimits(hostCores, limits.limitsCpu() ? LimitSource.CGROUP : LimitSource.HOST,
                allowedCores(limits), limits.limitsMemory() ? LimitSource.CGROUP : LimitSource.HOST,
                limits.memoryLimitBytes(), limits.memoryInUseBytes());
    }

    private HostSample sample(CpuLoad cpu, CgroupReading limits) {
        long hostAvailable = memory.getAvailable();
        long hostTotal = memory.getTotal();
        HostLimits applied = limits(limits);
        long available = Math.min(hostAvailable, limits.memoryHeadroomBytes());
        long total = limits.limitsMemory() ? Math.min(hostTotal, limits.memoryLimitBytes()) : hostTotal;
        return new HostSample(cpu.hostPercent(), cpu.otherPercent(), cpu.ownPercent(), available, total, applied);
    }
}
