package dev.cerebrum.server;

import java.time.Duration;

/**
 * How many client connections the server keeps, and how long it waits on them.
 *
 * @param maxConnections connections served at once; more are answered 503 and closed
 *                       ({@code CEREBRUM_MAX_CONNECTIONS})
 * @param maxPerPeer     connections one client address may hold ({@code CEREBRUM_MAX_CONNECTIONS_PER_PEER})
 * @param headerTimeout  longest time from a connection's opening, or from the first byte of a later request, to
 *                       the end of the request's headers; also the longest a request body may stop arriving
 *                       ({@code CEREBRUM_HEADER_TIMEOUT_SECONDS})
 * @param idleTimeout    longest time a kept-alive connection may wait for its next request
 *                       ({@code CEREBRUM_IDLE_TIMEOUT_SECONDS})
 */
record ConnectionLimits(int maxConnections, int maxPerPeer, Duration headerTimeout, Duration idleTimeout) {

    ConnectionLimits {
        if (maxConnections < 1 || maxPerPeer < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1");
        }
        if (headerTimeout.isNegative() || headerTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("connection timeouts must be positive");
        }
    }

    /** The same limits serving at most {@code total} connections (and no more per peer than that). */
    ConnectionLimits withMaxConnections(int total) {
        return new ConnectionLimits(total, Math.min(maxPerPeer, total), headerTimeout, idleTimeout);
    }

    /**
     * Connections that peers outside a configured allowlist may hold together: a quarter of the total, so an
     * allowed client always finds room while strangers, who can only reach the public health endpoints, flood.
     */
    int outsiderShare() {
        return Math.max(1, maxConnections / 4);
    }
}
