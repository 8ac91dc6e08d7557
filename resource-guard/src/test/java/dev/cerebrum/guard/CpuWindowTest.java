package dev.cerebrum.guard;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The windowed CPU figure and its split into own and other load, from cumulative counters as the sampler
 * reads them: a two-core host sampled once a second, a five-second window, the CPU rule's limit at 70%.
 */
class CpuWindowTest {
    private static final int CORES = 2;
    private static final double LIMIT = 70;
    private static final Duration WINDOW = Duration.ofSeconds(5);

    /** Feeds one reading per second: each second the given cores of other and own work. */
    private static final class Host {
        long seconds;
        long busy;
        long own;
        final CpuWindow window = new CpuWindow(WINDOW, reading());

        CpuWindow.Reading reading() {
            return new CpuWindow.Reading(seconds * 1_000_000_000L, busy, seconds * 1000L * CORES, own);
        }

        Host second(double otherCores, double ownCores) {
            seconds++;
            busy += Math.round((otherCores + ownCores) * 1000);
            own += Math.round(ownCores * 1000);
            window.add(reading());
            return this;
        }

        Host seconds(int n, double otherCores, double ownCores) {
            for (int i = 0; i < n; i++) {
                second(otherCores, ownCores);
            }
            return this;
        }

        CpuLoad load() {
            return window.load(CORES, CORES);
        }

        boolean refuses() {
            return load().otherPercent() > LIMIT;
        }
    }

    @Test
    void oneSpikeOfOtherLoad_onACalmHost_doesNotRefuse() {
        // given a calm host for a while, then one second with both cores taken by another process
        Host host = new Host().seconds(10, 0.1, 0).second(2, 0);

        // then the spike counts for one fifth of the window
        assertEquals((4 * 0.1 + 2) / 5 / CORES * 100, host.load().otherPercent(), 0.01);
        assertTrue(!host.refuses(), "one spike refused: " + host.load());
    }

    @Test
    void oneQuietSecond_onAHostKeptBusyByOthers_doesNotAdmit() {
        // given other processes keeping both cores busy, then one second when they pause
        Host host = new Host().seconds(10, 2, 0).second(0, 0);

        // then four busy seconds of five still refuse
        assertEquals(80.0, host.load().otherPercent(), 0.01);
        assertTrue(host.refuses());
    }

    @Test
    void sustainedOtherLoad_refusesWithinTheWindow_andStopsRefusingWithinTheWindowOnceItEnds() {
        Host host = new Host().seconds(10, 0, 0);
        int secondsToRefuse = 0;
        do {
            host.second(2, 0);
            secondsToRefuse++;
        } while (!host.refuses());
        host.seconds(10, 2, 0);
        int secondsToAdmit = 0;
        do {
            host.second(0, 0);
            secondsToAdmit++;
        } while (host.refuses());

        // more than 70% of a 5 s window is 4 s of full load; less than 70% is 2 quiet seconds
        assertEquals(4, secondsToRefuse);
        assertEquals(2, secondsToAdmit);
    }

    @Test
    void theBackendsOwnWork_neverCountsAsOtherLoad_howeverHotItRuns() {
        // given generations back to back on both cores
        Host host = new Host().seconds(20, 0.05, 1.95);

        CpuLoad load = host.load();
        assertEquals(100.0, load.hostPercent(), 0.01);
        assertEquals(97.5, load.ownPercent(), 0.01);
        assertEquals(2.5, load.otherPercent(), 0.01);
        assertTrue(!host.refuses());
    }

    @Test
    void atStartUp_theTimeBeforeTheFirstReadingCountsAsIdle() {
        // given a server one second old whose first second held a spike of other load
        Host host = new Host().second(2, 0);

        // then the spike counts for one fifth, as it would later
        assertEquals(20.0, host.load().otherPercent(), 0.01);
        assertEquals(CpuLoad.IDLE, new Host().load());
    }

    @Test
    void onlyTheLastWindowCounts_soOldLoadIsForgotten() {
        Host host = new Host().seconds(30, 2, 0).seconds(5, 0, 0);

        assertEquals(0.0, host.load().otherPercent(), 0.01);
    }

    @Test
    void underAQuota_otherLoadCountsOnlyWhatItTakesFromTheAllowedCores() {
        // 2 host cores, the backend allowed 0.95 of them: others may use 1.05 cores without taking anything
        assertEquals(0.0, CpuLoad.of(1.05, 0, 2, 0.95).otherPercent(), 1e-9);
        assertEquals(100.0, CpuLoad.of(2.0, 0, 2, 0.95).otherPercent(), 1e-9);
        assertEquals((1.5 - 1.05) / 0.95 * 100, CpuLoad.of(1.5, 0, 2, 0.95).otherPercent(), 1e-9);
        // own use is relative to the quota; host use stays host-wide
        CpuLoad own = CpuLoad.of(1.0, 0.9, 2, 0.95);
        assertEquals(0.9 / 0.95 * 100, own.ownPercent(), 1e-9);
        assertEquals(50.0, own.hostPercent(), 1e-9);
        assertEquals(0.0, own.otherPercent(), 1e-9);
    }

    @Test
    void withoutAQuota_otherLoadIsOtherCoresOverHostCores() {
        assertEquals(25.0, CpuLoad.of(1.5, 1.0, 2, 2).otherPercent(), 1e-9);
        assertEquals(50.0, CpuLoad.of(1.5, 1.0, 2, 2).ownPercent(), 1e-9);
        // own time read a moment after the host's ticks may exceed them: never negative
        assertEquals(0.0, CpuLoad.of(1.0, 1.2, 2, 2).otherPercent(), 1e-9);
    }
}
