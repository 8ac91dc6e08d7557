package dev.cerebrum.client.internal;

import dev.cerebrum.client.RetryPolicy;

import java.time.Duration;

/**
 * Decides, after a failed attempt, whether and when the call may be tried again. Pure: the client
 * supplies every fact, so the rules are unit-tested without a network.
 */
public final class RetryPlanner {

    /** How an attempt failed, as far as re-sending is concerned. */
    public enum Failure {
        /** Nothing reached the server (connection refused or connect timeout). */
        NOT_SENT,
        /** The server explicitly refused (503/429); it did not start the work. */
        REFUSED,
        /** The request was sent, then the answer timed out or the connection broke. */
        SENT_THEN_FAILED,
        /** An answer that retrying cannot change (4xx, 500, a stream error). */
        FINAL
    }

    /**
     * A decision.
     *
     * @param retry    whether to try again
     * @param delay    how long to wait first
     * @param failover whether the next attempt goes to another endpoint
     */
    public record Decision(boolean retry, Duration delay, boolean failover) {
        static final Decision GIVE_UP = new Decision(false, Duration.ZERO, false);
    }

    private final RetryPolicy policy;

    /** A planner for {@code policy}. */
    public RetryPlanner(RetryPolicy policy) {
        this.policy = policy;
    }

    /**
     * @param attempt              the attempt that just failed, from 1
     * @param failure              how it failed
     * @param retryAfter           the server's Retry-After, or null
     * @param idempotent           true for a GET
     * @param elapsed              time since the call began
     * @param alternativeAvailable another endpoint not yet failed in this call would take a request
     */
    public Decision decide(int attempt, Failure failure, Duration retryAfter, boolean idempotent, Duration elapsed,
                           boolean alternativeAvailable) {
        if (failure == Failure.FINAL || attempt >= policy.maxAttempts()) {
            return Decision.GIVE_UP;
        }
        // An inference that reached the server may still be running there: never send it again.
        if (failure == Failure.SENT_THEN_FAILED && !idempotent) {
            return Decision.GIVE_UP;
        }
        Duration remaining = policy.totalDeadline().minus(elapsed);
        if (remaining.isNegative() || remaining.isZero()) {
            return Decision.GIVE_UP;
        }
        if (alternativeAvailable) {
            return new Decision(true, Duration.ZERO, true);
        }
        Duration delay = retryAfter != null && failure == Failure.REFUSED ? retryAfter : policy.backoff(attempt);
        if (delay.compareTo(remaining) >= 0) {
            return Decision.GIVE_UP;
        }
        return new Decision(true, delay, false);
    }
}
