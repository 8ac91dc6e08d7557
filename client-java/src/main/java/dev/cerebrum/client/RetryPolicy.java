package dev.cerebrum.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How the client retries, only where that is safe: a connection that failed before anything was
 * sent, an explicit 503/429 refusal, and a GET that timed out. An inference whose request was sent
 * is never sent again. A retry waits {@code Retry-After} when the server sent one, otherwise
 * {@code baseBackoff × 2^(n-1)} capped at {@code maxBackoff}; failing over to another endpoint does
 * not wait. No attempt starts after {@code totalDeadline} from the call's start (a running attempt
 * is bounded by the read timeout, not by this deadline).
 *
 * @param maxAttempts   attempts in all, failovers included (1 disables retries)
 * @param baseBackoff   first backoff
 * @param maxBackoff    backoff cap
 * @param totalDeadline no attempt starts later than this after the call began
 */
public record RetryPolicy(int maxAttempts, Duration baseBackoff, Duration maxBackoff, Duration totalDeadline) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        requireNonNegative(baseBackoff, "baseBackoff");
        requireNonNegative(maxBackoff, "maxBackoff");
        requireNonNegative(totalDeadline, "totalDeadline");
    }

    /** Three attempts (as the original orchestrator: two retries), 1 s base, 8 s cap, 30 s deadline. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(30));
    }

    /** One attempt, no retry and no failover. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    /** The backoff before attempt {@code attempt + 1} when the server gave no Retry-After. */
    public Duration backoff(int attempt) {
        if (attempt < 1 || baseBackoff.isZero()) {
            return Duration.ZERO;
        }
        int shift = Math.min(attempt - 1, 30);
        Duration d = baseBackoff.multipliedBy(1L << shift);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    private static void requireNonNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }
}
