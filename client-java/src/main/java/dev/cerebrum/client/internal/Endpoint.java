package dev.cerebrum.client.internal;

import dev.cerebrum.client.CircuitBreakerPolicy;
import dev.cerebrum.client.EndpointStatus;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/** One backend: its base URI, its breaker and this client's requests on it. */
final class Endpoint {

    final URI base;
    final CircuitBreaker breaker;
    final AtomicInteger inFlight = new AtomicInteger();

    Endpoint(URI base, CircuitBreakerPolicy policy, LongSupplier clock) {
        this.base = base;
        this.breaker = new CircuitBreaker(policy, clock);
    }

    URI resolve(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    EndpointStatus status() {
        return new EndpointStatus(base, breaker.state(), breaker.consecutiveFailures(), inFlight.get());
    }
}
