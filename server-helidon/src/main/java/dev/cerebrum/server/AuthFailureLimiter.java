package dev.cerebrum.server;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Limits failed authentications per peer: after {@code limit} failures within a minute the peer is
 * refused until that minute has passed, whatever key it presents, so guessing stops paying off.
 */
final class AuthFailureLimiter {
    private static final long WINDOW_NANOS = Duration.ofMinutes(1).toNanos();
    /** Bounds the memory a flood of distinct peers can take. */
    private static final int MAX_PEERS = 10_000;

    private final int limit;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    AuthFailureLimiter(int limit) {
        this(limit, System::nanoTime);
    }

    AuthFailureLimiter(int limit, LongSupplier nanoClock) {
        this.limit = limit;
        this.nanoClock = nanoClock;
    }

    /** Zero when the peer may try; otherwise how long it must wait, at least one second. */
    Duration blockedFor(String peer) {
        if (limit <= 0) {
            return Duration.ZERO;
        }
        Window w = windows.get(peer);
        if (w == null) {
            return Duration.ZERO;
        }
        long now = nanoClock.getAsLong();
        synchronized (w) {
            long remaining = w.start + WINDOW_NANOS - now;
            if (remaining <= 0 || w.failures < limit) {
                return Duration.ZERO;
            }
            return Duration.ofSeconds(Math.max(1, (remaining + 999_999_999L) / 1_000_000_000L));
        }
    }

    /** Records a failed authentication of the peer. */
    void recordFailure(String peer) {
        if (limit <= 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (windows.size() >= MAX_PEERS) {
            evictExpired(now);
        }
        Window w = windows.computeIfAbsent(peer, p -> new Window(now));
        synchronized (w) {
            if (now - w.start >= WINDOW_NANOS) {
                w.start = now;
                w.failures = 0;
            }
            w.failures++;
        }
    }

    private void evictExpired(long now) {
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            Window w = it.next();
            synchronized (w) {
                if (now - w.start >= WINDOW_NANOS) {
                    it.remove();
                }
            }
        }
    }

    private static final class Window {
        long start;
        int failures;

        Window(long start) {
            this.start = start;
        }
    }
}
