package dev.cerebrum.guard;

import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;

/** Reads the host with OSHI: system CPU load between two tick readings, and available RAM. */
final class OshiHostProbe implements HostProbe {
    // OSHI memoises tick readings for about 300 ms; a shorter interval would measure nothing.
    private static final long MIN_INTERVAL_NANOS = 250_000_000L;

    private final CentralProcessor processor;
    private final GlobalMemory memory;
    private long[] previousTicks;
    private long previousNanos;
    private double lastCpuPercent;
    private HostSample last;

    OshiHostProbe() {
        var hardware = new SystemInfo().getHardware();
        this.processor = hardware.getProcessor();
        this.memory = hardware.getMemory();
        this.previousTicks = processor.getSystemCpuLoadTicks();
        this.previousNanos = System.nanoTime();
        this.last = new HostSample(0, memory.getAvailable(), memory.getTotal());
    }

    @Override
    public synchronized HostSample sample() {
        try {
            long now = System.nanoTime();
            if (now - previousNanos >= MIN_INTERVAL_NANOS) {
                double load = processor.getSystemCpuLoadBetweenTicks(previousTicks);
                previousTicks = processor.getSystemCpuLoadTicks();
                previousNanos = now;
                if (Double.isFinite(load)) {
                    lastCpuPercent = Math.max(0, Math.min(100, load * 100));
                }
            }
            last = new HostSample(lastCpuPercent, memory.getAvailable(), memory.getTotal());
        } catch (RuntimeException e) {
            // A reading the platform cannot give keeps the previous one rather than failing the sampler.
        }
        return last;
    }

    @Override
    public long availableRamBytes() {
        try {
            return memory.getAvailable();
        } catch (RuntimeException e) {
            return last.availableRamBytes();
        }
    }
}
