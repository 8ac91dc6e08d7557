package dev.cerebrum.client.internal;

import dev.cerebrum.client.CircuitBreakerPolicy;
import dev.cerebrum.client.CircuitState;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * One endpoint's circuit breaker. A request takes a {@link Permit} and reports exactly one outcome
 * on it. Outcomes of requests admitted before the breaker opened are ignored once it is open, so a
 * long stream that started while closed cannot close a breaker that opened meanwhile.
 */
public final class CircuitBreaker {

    private final int threshold;
    private final long openNanos;
    private final int maxProbes;
    private final LongSupplier nanoClock;

    private CircuitState state = CircuitState.CLOSED;
    private int failures;
    private long openedAt;
    private int probesInFlight;
    /** Bumped on every transition; a permit from an older generation reports nothing. */
    private long generation;

    /** A breaker on the system's nano clock. */
    public CircuitBreaker(CircuitBreakerPolicy policy) {
        this(policy, System::nanoTime);
    }

    /** A breaker on an injected nano clock (tests). */
    public CircuitBreaker(CircuitBreakerPolicy policy, LongSupplier nanoClock) {
        this.threshold = policy.failureThreshold();
        this.openNanos = policy.openDuration().toNanos();
        this.maxProbes = policy.halfOpenProbes();
        this.nanoClock = nanoClock;
    }

    /** The right to send one request; report its outcome once. */
    public final class Permit {
        private final boolean probe;
        private final long permitGeneration;
        private final AtomicBoolean reported = new AtomicBoolean();

        private Permit(boolean probe, long permitGeneration) {
            this.probe = probe;
            this.permitGeneration = permitGeneration;
        }

        /** True when this request probes a half-open breaker. */
        public boolean probe() {
            return probe;
        }

        /** The endpoint answered usefully. */
        public void success() {
            if (reported.compareAndSet(false, true)) {
                onSuccess(this);
            }
        }

        /** The endpoint failed. */
        public void failure() {
            if (reported.compareAndSet(false, true)) {
                onFailure(this);
            }
        }

        /** The outcome says nothing about the endpoint (for example the caller was interrupted). */
        public void release() {
            if (reported.compareAndSet(false, true)) {
                onRelease(this);
            }
        }
    }

    /** A permit, or null when the breaker refuses now. */
    public synchronized Permit tryAcquire() {
        advance();
        switch (state) {
            case CLOSED:
                return new Permit(false, generation);
            case HALF_OPEN:
                if (probesInFlight < maxProbes) {
                    probesInFlight++;
                    return new Permit(true, generation);
                }
                return null;
            default:
                return null;
        }
    }

    /**
     * A failure found after the request's outcome was reported (an open stream that broke or sent
     * an error event). It counts only while the breaker is closed.
     */
    public synchronized void lateFailure() {
        advance();
        if (state == CircuitState.CLOSED) {
            failures++;
            if (failures >= threshold) {
                open();
            }
        }
    }

    /** True when {@link #tryAcquire()} would give a permit now. */
    public synchronized boolean wouldAllow() {
        advance();
        return state == CircuitState.CLOSED || (state == CircuitState.HALF_OPEN && probesInFlight < maxProbes);
    }

    /** The current state. */
    public synchronized CircuitState state() {
        advance();
        return state;
    }

    /** Failures since the last success. */
    public synchronized int consecutiveFailures() {
        return failures;
    }

    /** Nanoseconds until an open breaker lets a probe through; 0 unless open. */
    public synchronized long nanosUntilProbe() {
        advance();
        return state == CircuitState.OPEN ? Math.max(0, openNanos - (nanoClock.getAsLong() - openedAt)) : 0;
    }

    private void advance() {
        if (state == CircuitState.OPEN && nanoClock.getAsLong() - openedAt >= openNanos) {
            transition(CircuitState.HALF_OPEN);
        }
    }

    private synchronized void onSuccess(Permit permit) {
        if (permit.permitGeneration != generation) {
            return;
        }
        if (permit.probe) {
            probesInFlight--;
            failures = 0;
            transition(CircuitState.CLOSED);
        } else if (state == CircuitState.CLOSED) {
            failures = 0;
        }
    }

    private synchronized void onFailure(Permit permit) {
        if (permit.permitGeneration != generation) {
            return;
        }
        failures++;
        if (permit.probe) {
            probesInFlight--;
            open();
        } else if (state == CircuitState.CLOSED && failures >= threshold) {
            open();
        }
    }

    private synchronized void onRelease(Permit permit) {
        if (permit.permitGeneration == generation && permit.probe) {
            probesInFlight--;
        }
    }

    private void open() {
        openedAt = nanoClock.getAsLong();
        transition(CircuitState.OPEN);
    }

    private void transition(CircuitState next) {
        state = next;
        probesInFlight = 0;
        generation++;
    }
}
