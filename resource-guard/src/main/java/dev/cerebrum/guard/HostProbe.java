package dev.cerebrum.guard;

import java.time.Duration;

/** Reads CPU and RAM of the host. Injectable so tests can set the CPU use and a small memory budget. */
@FunctionalInterface
public interface HostProbe {

    /**
     * A reading. The CPU figures cover the time since earlier calls, so the manager calls this only from
     * its background sampler. A reading the platform cannot give may throw: the manager logs it and keeps
     * its previous sample.
     */
    HostSample sample();

    /** RAM available now, read afresh; admission calls it before a load. */
    default long availableRamBytes() {
        return sample().availableRamBytes();
    }

    /**
     * The limits RAM is judged against, read afresh like {@link #availableRamBytes()}, for the reason of a
     * memory refusal. By default those of a new {@link #sample()}.
     */
    default HostLimits limitsNow() {
        return sample().limits();
    }

    /** The real host, read with OSHI, with the default CPU window. */
    static HostProbe oshi() {
        return oshi(GuardSettings.defaults().cpuWindow());
    }

    /**
     * The real host, read with OSHI: CPU figures averaged over {@code cpuWindow}, the backend's own process
     * tree told apart from other processes, and the limits of the cgroup this process runs in.
     */
    static HostProbe oshi(Duration cpuWindow) {
        return new OshiHostProbe(cpuWindow);
    }
}
