package dev.cerebrum.client.internal;

import dev.cerebrum.client.CircuitBreakerPolicy;
import dev.cerebrum.client.RetryPolicy;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The client's settings, resolved once by the builder. Endpoints are normalised (no trailing slash)
 * and must be absolute http(s) URIs without query.
 */
public record ClientConfig(List<URI> endpoints, String apiKey, Duration connectTimeout, Duration readTimeout,
                           Duration streamIdleTimeout, RetryPolicy retryPolicy, CircuitBreakerPolicy breakerPolicy,
                           int maxInFlight, Duration inFlightWait) {

    public ClientConfig {
        Objects.requireNonNull(endpoints, "endpoints");
        LinkedHashSet<URI> normalised = new LinkedHashSet<>();
        for (URI uri : endpoints) {
            normalised.add(normalise(uri));
        }
        if (normalised.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint is required");
        }
        endpoints = List.copyOf(normalised);
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(streamIdleTimeout, "streamIdleTimeout");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(breakerPolicy, "breakerPolicy");
        Objects.requireNonNull(inFlightWait, "inFlightWait");
        if (apiKey != null && apiKey.isEmpty()) {
            apiKey = null;
        }
    }

    static URI normalise(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("endpoint must be an http or https URI: " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("endpoint has no host: " + uri);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("endpoint must not have a query or fragment: " + uri);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(scheme + "://" + uri.getRawAuthority() + path);
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "ClientConfig[endpoints=" + endpoints + ", apiKey=" + (apiKey == null ? "none" : "***")
                + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
                + ", streamIdleTimeout=" + streamIdleTimeout + ", retryPolicy=" + retryPolicy
                + ", breakerPolicy=" + breakerPolicy + ", maxInFlight=" + maxInFlight
                + ", inFlightWait=" + inFlightWait + "]";
    }
}
