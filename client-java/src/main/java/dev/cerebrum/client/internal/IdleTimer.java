package dev.cerebrum.client.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Fires when a stream has been silent too long while its reader waits. Time the consumer spends
 * between reads does not count: a slow consumer is not a silent server.
 */
final class IdleTimer {

    private final ScheduledExecutorService scheduler;
    private final long idleNanos;
    private final Runnable onExpire;
    private final LongSupplier clock;
    private volatile long lastActivity;
    private volatile boolean waiting;
    private volatile boolean cancelled;
    private volatile boolean expired;
    private ScheduledFuture<?> next;

    IdleTimer(ScheduledExecutorService scheduler, long idleNanos, Runnable onExpire, LongSupplier clock) {
        this.scheduler = scheduler;
        this.idleNanos = idleNanos;
        this.onExpire = onExpire;
        this.clock = clock;
        this.lastActivity = clock.getAsLong();
    }

    void start() {
        schedule(idleNanos);
    }

    /** The reader starts waiting for the server. */
    void waiting() {
        lastActivity = clock.getAsLong();
        waiting = true;
    }

    /** The reader got something (a line) or stopped waiting. */
    void activity() {
        lastActivity = clock.getAsLong();
    }

    void notWaiting() {
        waiting = false;
    }

    boolean expired() {
        return expired;
    }

    synchronized void cancel() {
        cancelled = true;
        if (next != null) {
            next.cancel(false);
        }
    }

    private void check() {
        if (cancelled) {
            return;
        }
        long silent = clock.getAsLong() - lastActivity;
        if (waiting && silent >= idleNanos) {
            expired = true;
            onExpire.run();
            return;
        }
        schedule(waiting ? idleNanos - silent : idleNanos);
    }

    private synchronized void schedule(long delayNanos) {
        if (cancelled) {
            return;
        }
        try {
            next = scheduler.schedule(this::check, Math.max(delayNanos, 1_000_000), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException clientClosed) {
            // The client is closing and closes this stream itself.
        }
    }
}
