package dev.cerebrum.client;

import java.time.Duration;
import java.util.Objects;

/**
 * The circuit breaker each endpoint has. Failures are connection failures, timeouts, broken
 * responses, 5xx other than 503, and stream error events; any other answer (4xx, 429, 503
 * included: the endpoint is reachable) is a success. After {@code failureThreshold} consecutive
 * failures the breaker opens: the endpoint gets no request for {@code openDuration}; then up to
 * {@code halfOpenProbes} concurrent requests probe it, and the first outcome closes or reopens it.
 *
 * @param failureThreshold consecutive failures that open the breaker
 * @param openDuration     how long an open breaker refuses requests
 * @param halfOpenProbes   concurrent probe requests while half-open
 */
public record CircuitBreakerPolicy(int failureThreshold, Duration openDuration, int halfOpenProbes) {

    public CircuitBreakerPolicy {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failureThreshold must be at least 1");
        }
        Objects.requireNonNull(openDuration, "openDuration");
        if (openDuration.isNegative()) {
            throw new IllegalArgumentException("openDuration must not be negative");
        }
        if (halfOpenProbes < 1) {
            throw new IllegalArgumentException("halfOpenProbes must be at least 1");
        }
    }

    /** Opens after 5 consecutive failures, for 30 s, then one probe. */
    public static CircuitBreakerPolicy defaults() {
        return new CircuitBreakerPolicy(5, Duration.ofSeconds(30), 1);
    }
}
