package dev.cerebrum.client;

import java.net.URI;

/**
 * What the client knows about one endpoint right now.
 *
 * @param uri                 the endpoint's base URI
 * @param circuit             its breaker's state
 * @param consecutiveFailures failures since the last success
 * @param inFlight            requests and open streams on it from this client
 */
public record EndpointStatus(URI uri, CircuitState circuit, int consecutiveFailures, int inFlight) {
}
