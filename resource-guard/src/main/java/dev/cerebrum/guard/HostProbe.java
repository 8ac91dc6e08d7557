package dev.cerebrum.guard;

/** Reads CPU and RAM of the host. Injectable so tests can set the CPU use and a small memory budget. */
@FunctionalInterface
public interface HostProbe {

    /**
     * A reading. The CPU figure covers the time since the previous call, so the manager calls this
     * only from its background sampler.
     */
    HostSample sample();

    /** RAM available now, read afresh; admission calls it before a load. */
    default long availableRamBytes() {
        return sample().availableRamBytes();
    }

    /** The real host, read with OSHI. */
    static HostProbe oshi() {
        return new OshiHostProbe();
    }
}
