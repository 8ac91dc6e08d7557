package dev.cerebrum.guard;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads this machine through OSHI: the figures must be plausible, not exact. */
class OshiHostProbeTest {
    @Test
    void sample_readsCpuBetweenCallsAndRam() throws InterruptedException {
        HostProbe probe = HostProbe.oshi();
        probe.sample();
        long end = System.nanoTime() + 400_000_000L;
        long spins = 0;
        while (System.nanoTime() < end) {
            spins++;
        }
        HostSample s = probe.sample();
        assertTrue(spins > 0);
        assertTrue(s.cpuPercent() >= 0 && s.cpuPercent() <= 100, "cpu " + s.cpuPercent());
        assertTrue(s.totalRamBytes() > 0, "total " + s.totalRamBytes());
        assertTrue(s.availableRamBytes() > 0 && s.availableRamBytes() <= s.totalRamBytes(),
                "available " + s.availableRamBytes());
        assertTrue(s.usedRamBytes() == s.totalRamBytes() - s.availableRamBytes());
        assertTrue(probe.availableRamBytes() > 0);
    }
}
