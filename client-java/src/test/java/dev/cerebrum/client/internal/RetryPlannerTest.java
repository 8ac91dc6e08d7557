package dev.cerebrum.client.internal;

import dev.cerebrum.client.RetryPolicy;
import dev.cerebrum.client.internal.RetryPlanner.Decision;
import dev.cerebrum.client.internal.RetryPlanner.Failure;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPlannerTest {

    private final RetryPlanner planner = new RetryPlanner(
            new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(30)));
    private static final boolean POST = false;
    private static final boolean GET = true;

    @Test
    void anInferenceThatWasSentAndTimedOut_isNeverSentAgain() {
        Decision d = planner.decide(1, Failure.SENT_THEN_FAILED, null, POST, Duration.ZERO, true);
        assertFalse(d.retry());
    }

    @Test
    void aGetThatTimedOut_isRetriedAfterTheBackoff() {
        Decision d = planner.decide(1, Failure.SENT_THEN_FAILED, null, GET, Duration.ZERO, false);
        assertTrue(d.retry());
        assertEquals(Duration.ofMillis(500), d.delay());
    }

    @Test
    void aConnectionRefusedBeforeSending_isRetriedWithExponentialBackoff() {
        assertEquals(Duration.ofMillis(500), planner.decide(1, Failure.NOT_SENT, null, POST, Duration.ZERO, false).delay());
        assertEquals(Duration.ofSeconds(1), planner.decide(2, Failure.NOT_SENT, null, POST, Duration.ZERO, false).delay());
        assertEquals(Duration.ofSeconds(2), planner.decide(3, Failure.NOT_SENT, null, POST, Duration.ZERO, false).delay(),
                "capped at maxBackoff");
    }

    @Test
    void aRefusal_waitsTheServersRetryAfter() {
        Decision d = planner.decide(1, Failure.REFUSED, Duration.ofSeconds(5), POST, Duration.ZERO, false);
        assertTrue(d.retry());
        assertEquals(Duration.ofSeconds(5), d.delay());
        assertFalse(d.failover());
    }

    @Test
    void withAnotherEndpointAvailable_theRetryFailsOverAtOnce() {
        Decision d = planner.decide(1, Failure.REFUSED, Duration.ofSeconds(5), POST, Duration.ZERO, true);
        assertTrue(d.retry());
        assertTrue(d.failover());
        assertEquals(Duration.ZERO, d.delay());
    }

    @Test
    void aWaitThatWouldEndPastTheDeadline_givesUp() {
        Decision d = planner.decide(1, Failure.REFUSED, Duration.ofSeconds(5), POST, Duration.ofSeconds(26), false);
        assertFalse(d.retry());
        assertTrue(planner.decide(1, Failure.REFUSED, Duration.ofSeconds(5), POST, Duration.ofSeconds(24), false).retry());
    }

    @Test
    void afterTheLastAttempt_givesUp() {
        assertFalse(planner.decide(4, Failure.NOT_SENT, null, POST, Duration.ZERO, true).retry());
    }

    @Test
    void aFinalAnswer_isNeverRetried() {
        assertFalse(planner.decide(1, Failure.FINAL, null, GET, Duration.ZERO, true).retry());
    }

    @Test
    void retryPolicyNone_neverRetries() {
        RetryPlanner none = new RetryPlanner(RetryPolicy.none());
        assertFalse(none.decide(1, Failure.NOT_SENT, null, GET, Duration.ZERO, true).retry());
    }
}
