package dev.cerebrum.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthFailureLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void peerUnderTheLimit_isNotBlocked_andAtTheLimit_isBlockedUntilTheMinuteEnds() {
        AuthFailureLimiter limiter = new AuthFailureLimiter(3, now::get);
        limiter.recordFailure("10.0.0.1");
        limiter.recordFailure("10.0.0.1");
        assertEquals(Duration.ZERO, limiter.blockedFor("10.0.0.1"));

        limiter.recordFailure("10.0.0.1");
        Duration blocked = limiter.blockedFor("10.0.0.1");
        assertEquals(60, blocked.toSeconds());

        now.addAndGet(Duration.ofSeconds(45).toNanos());
        assertEquals(15, limiter.blockedFor("10.0.0.1").toSeconds());

        now.addAndGet(Duration.ofSeconds(15).toNanos());
        assertEquals(Duration.ZERO, limiter.blockedFor("10.0.0.1"));
    }

    @Test
    void otherPeers_areNotAffected() {
        AuthFailureLimiter limiter = new AuthFailureLimiter(1, now::get);
        limiter.recordFailure("10.0.0.1");
        assertTrue(limiter.blockedFor("10.0.0.1").toSeconds() > 0);
        assertEquals(Duration.ZERO, limiter.blockedFor("10.0.0.2"));
    }

    @Test
    void zeroLimit_neverBlocks() {
        AuthFailureLimiter limiter = new AuthFailureLimiter(0, now::get);
        for (int i = 0; i < 100; i++) {
            limiter.recordFailure("10.0.0.1");
        }
        assertEquals(Duration.ZERO, limiter.blockedFor("10.0.0.1"));
    }

    @Test
    void aNewWindow_startsCountingAfresh() {
        AuthFailureLimiter limiter = new AuthFailureLimiter(2, now::get);
        limiter.recordFailure("p");
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        limiter.recordFailure("p");
        assertEquals(Duration.ZERO, limiter.blockedFor("p"));
    }

    @Test
    void aFloodOfDistinctPeers_neverGrowsTheTablePastItsCap_andTheNewestPeersAreStillLimited() {
        AuthFailureLimiter limiter = new AuthFailureLimiter(2, now::get);
        int peers = AuthFailureLimiter.MAX_PEERS * 3 / 2;
        for (int i = 0; i < peers; i++) {
            // every window stays live: the whole flood happens within one minute
            now.addAndGet(1_000);
            limiter.recordFailure("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
            assertTrue(limiter.trackedPeers() <= AuthFailureLimiter.MAX_PEERS, "tracked " + limiter.trackedPeers());
        }

        String newest = "192.0.2.1";
        limiter.recordFailure(newest);
        limiter.recordFailure(newest);

        assertTrue(limiter.trackedPeers() <= AuthFailureLimiter.MAX_PEERS);
        assertTrue(limiter.blockedFor(newest).toSeconds() > 0, "the newest peer is tracked and blocked");
    }
}
