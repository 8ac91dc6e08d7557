package dev.cerebrum.client.internal;

import dev.cerebrum.client.CircuitBreakerPolicy;
import dev.cerebrum.client.CircuitState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final CircuitBreaker breaker =
            new CircuitBreaker(new CircuitBreakerPolicy(3, Duration.ofSeconds(10), 1), now::get);

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            breaker.tryAcquire().failure();
        }
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void consecutiveFailuresUpToThreshold_openTheBreaker() {
        fail(2);
        assertEquals(CircuitState.CLOSED, breaker.state());
        fail(1);
        assertEquals(CircuitState.OPEN, breaker.state());
        assertNull(breaker.tryAcquire(), "an open breaker gives no permit");
        assertEquals(Duration.ofSeconds(10).toNanos(), breaker.nanosUntilProbe());
    }

    @Test
    void aSuccessBetweenFailures_resetsTheCount() {
        fail(2);
        breaker.tryAcquire().success();
        fail(2);
        assertEquals(CircuitState.CLOSED, breaker.state());
        assertEquals(2, breaker.consecutiveFailures());
    }

    @Test
    void afterTheOpenDuration_oneProbeIsLetThrough_andItsSuccessCloses() {
        fail(3);
        advance(Duration.ofSeconds(9));
        assertNull(breaker.tryAcquire());
        advance(Duration.ofSeconds(1));
        assertEquals(CircuitState.HALF_OPEN, breaker.state());
        CircuitBreaker.Permit probe = breaker.tryAcquire();
        assertNotNull(probe);
        assertTrue(probe.probe());
        assertNull(breaker.tryAcquire(), "only one probe at a time");
        assertFalse(breaker.wouldAllow());
        probe.success();
        assertEquals(CircuitState.CLOSED, breaker.state());
        assertEquals(0, breaker.consecutiveFailures());
        assertNotNull(breaker.tryAcquire());
    }

    @Test
    void aFailedProbe_reopensForAnotherFullDuration() {
        fail(3);
        advance(Duration.ofSeconds(10));
        breaker.tryAcquire().failure();
        assertEquals(CircuitState.OPEN, breaker.state());
        advance(Duration.ofSeconds(9));
        assertNull(breaker.tryAcquire());
        advance(Duration.ofSeconds(1));
        assertNotNull(breaker.tryAcquire());
    }

    @Test
    void aReleasedProbe_letsAnotherProbeThrough() {
        fail(3);
        advance(Duration.ofSeconds(10));
        breaker.tryAcquire().release();
        assertEquals(CircuitState.HALF_OPEN, breaker.state());
        assertNotNull(breaker.tryAcquire());
    }

    @Test
    void outcomesOfRequestsAdmittedBeforeTheBreakerOpened_areIgnored() {
        CircuitBreaker.Permit longStream = breaker.tryAcquire();
        fail(3);
        longStream.success();
        assertEquals(CircuitState.OPEN, breaker.state(), "a stale success does not close an open breaker");
    }

    @Test
    void anOutcomeIsCountedOncePerPermit() {
        CircuitBreaker.Permit p = breaker.tryAcquire();
        p.failure();
        p.failure();
        p.failure();
        assertEquals(1, breaker.consecutiveFailures());
    }

    @Test
    void lateFailures_countWhileClosed() {
        fail(2);
        breaker.lateFailure();
        assertEquals(CircuitState.OPEN, breaker.state());
        breaker.lateFailure();
        advance(Duration.ofSeconds(10));
        assertEquals(CircuitState.HALF_OPEN, breaker.state(), "a late failure does not extend an open period");
    }
}
