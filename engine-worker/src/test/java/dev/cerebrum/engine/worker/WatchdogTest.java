package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.worker.Watchdog.Observation;
import dev.cerebrum.engine.worker.Watchdog.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatchdogTest {
    private static final long S = 1_000_000_000L;
    private static final WatchdogSettings DEFAULTS = WatchdogSettings.defaults();

    @ParameterizedTest(name = "pong {0} s ago, progress {1} s ago, busy {2}, {3} prompt tokens -> {4}")
    @CsvSource({
            // liveness: interval 1 s + timeout 5 s
            "0,     0,    false, 0,     HEALTHY",
            "6,     0,    false, 0,     HEALTHY",
            "6.01,  0,    false, 0,     UNRESPONSIVE",
            "7,     0,    true,  0,     UNRESPONSIVE",
            // progress: 300 s + 0.25 s per prompt token in process, only while busy
            "0,     300,  true,  0,     HEALTHY",
            "0,     301,  true,  0,     STALLED",
            "0,     3000, false, 0,     HEALTHY",
            "0,     301,  true,  8,     HEALTHY",
            "0,     302.1,true,  8,     STALLED",
            // an 8k-token prompt may be silent for 300 s + 2048 s
            "0,     2300, true,  8192,  HEALTHY",
            "0,     2349, true,  8192,  STALLED",
            // an unanswered ping wins over a stall
            "10,    5000, true,  0,     UNRESPONSIVE",
    })
    void verdict_followsTheClocks(double pongAgo, double progressAgo, boolean busy, long promptTokens, Verdict expected) {
        long now = 10_000 * S;
        Observation observation = new Observation(now - (long) (pongAgo * S), now - (long) (progressAgo * S), busy,
                promptTokens);

        assertEquals(expected, Watchdog.check(now, observation, DEFAULTS));
    }

    @Test
    void zeroDurations_turnTheChecksOff() {
        WatchdogSettings off = WatchdogSettings.from(Map.of(WatchdogSettings.PING_INTERVAL, "PT0S",
                WatchdogSettings.STALL_TIMEOUT, "PT0S"));
        long now = 10_000 * S;

        assertFalse(off.pings());
        assertFalse(off.checksProgress());
        assertEquals(Verdict.HEALTHY, Watchdog.check(now, new Observation(0, 0, true, 0), off));
    }

    @Test
    void defaults_areDocumented() {
        assertEquals(Duration.ofSeconds(1), DEFAULTS.pingInterval());
        assertEquals(Duration.ofSeconds(5), DEFAULTS.pingTimeout());
        assertEquals(Duration.ofMinutes(5), DEFAULTS.stallTimeout());
        assertEquals(Duration.ofMillis(250), DEFAULTS.stallPerPromptToken());
        assertEquals(Duration.ofSeconds(6), DEFAULTS.unresponsiveAfter());
        assertTrue(DEFAULTS.pings() && DEFAULTS.checksProgress());
    }

    @Test
    void invalidProperty_isRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WatchdogSettings.from(Map.of(WatchdogSettings.PING_TIMEOUT, "5s")));
        assertTrue(e.getMessage().contains("worker-ping-timeout"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> WatchdogSettings.from(Map.of(WatchdogSettings.STALL_TIMEOUT, "-PT1S")));
        assertThrows(IllegalArgumentException.class,
                () -> WatchdogSettings.from(Map.of(WatchdogSettings.PING_TIMEOUT, "PT0S")));
    }
}
