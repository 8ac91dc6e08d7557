package dev.cerebrum.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Limits failed authentications per peer: after {@code limit} failures within a minute the peer is
 * refused until that minute has passed, whatever key it presents, so guessing stops paying off. The table
 * holds at most {@value #MAX_PEERS} peers: when it is full of live windows, those that started first make
 * room.
 */
final class AuthFailureLimiter {
    private static final long WINDOW_NANOS = Duration.ofMinutes(1).toNanos();
    /** Bounds the memory a flood of distinct peers can take. */
    static final int MAX_PEERS = 10_000;

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
        Window w = windows.get(peer);
        if (w == null) {
            w = track(peer, now);
        }
        synchronized (w) {
            if (now - w.start >= WINDOW_NANOS) {
                w.start = now;
                w.failures = 0;
            }
            w.failures++;
        }
    }

    /** Peers tracked now, for tests. */
    int trackedPeers() {
        return windows.size();
    }

    /** Adds a window for a new peer; every insertion goes through here, so the cap holds under concurrency. */
    private synchronized Window track(String peer, long now) {
        Window w = windows.get(peer);
        if (w == null) {
            if (windows.size() >= MAX_PEERS) {
                makeRoom(now);
            }
            w = new Window(now);
            windows.put(peer, w);
        }
        return w;
    }

    /**
     * Drops expired windows; when that frees nothing, the tenth of the windows that started first, whose
     * minutes end first. Dropping a tenth at once keeps the cost of a flood of new peers low.
     */
    private void makeRoom(long now) {
        windows.values().removeIf(w -> now - w.start >= WINDOW_NANOS);
        if (windows.size() < MAX_PEERS) {
            return;
        }
        List<Map.Entry<String, Window>> byStart = new ArrayList<>(windows.entrySet());
        byStart.sort(Comparator.comparingLong(e -> e.getValue().start - now));
        for (Map.Entry<String, Window> e : byStart.subList(0, Math.max(1, MAX_PEERS / 10))) {
            windows.remove(e.getKey(), e.getValue());
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
