package dev.cerebrum.guard;

import java.util.Objects;

/**
 * The host as the guard sees it: the latest background sample (CPU over the window, RAM, limits), which
 * request handlers read without waiting, and fresh RAM readings for admission before a load.
 */
final class HostMonitor {
    private final HostProbe probe;
    private volatile HostSample latest;
    /** Set while sampling fails, so that a failure that repeats every sample is logged once. */
    private volatile boolean failing;

    HostMonitor(HostProbe probe) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.latest = read(new HostSample(0, 0, 0));
    }

    /** The latest sample; never blocks. */
    HostSample latest() {
        return latest;
    }

    /** Takes one sample: called by the background sampler, and by tests to apply a reading at once. */
    void sample() {
        latest = read(latest);
    }

    /** RAM available now, read afresh; the latest sample's figure when the probe fails. */
    long availableRamNow() {
        try {
            return probe.availableRamBytes();
        } catch (RuntimeException e) {
            GuardLog.warning(null, "available RAM could not be read; the last sample stands in", e);
            return latest.availableRamBytes();
        }
    }

    /** The limits RAM is judged against, read afresh; the latest sample's when the probe fails. */
    HostLimits limitsNow() {
        try {
            return probe.limitsNow();
        } catch (RuntimeException e) {
            GuardLog.warning(null, "the cgroup limits could not be read; the last sample's stand in", e);
            return latest.limits();
        }
    }

    private HostSample read(HostSample fallback) {
        try {
            HostSample s = probe.sample();
            if (failing) {
                failing = false;
                GuardLog.info(null, "the host can be sampled again");
            }
            return s == null ? fallback : s;
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                GuardLog.warning(null, "the host could not be sampled; the last sample stands in until it can", e);
            }
            return fallback;
        }
    }
}
