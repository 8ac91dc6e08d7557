package dev.cerebrum.client;

import dev.cerebrum.client.internal.ClientConfig;
import dev.cerebrum.client.internal.HttpCerebrumClient;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * A typed client for the Cerebrum backend. Immutable and thread-safe; build one with
 * {@link #builder()} and share it. Every call throws a {@link CerebrumException} subtype on failure.
 *
 * <p>With several endpoints, each call goes to a reachable endpoint (breaker not open) with the
 * fewest requests in flight from this client, and fails over on connection failures and 503/429.
 * A request is never sent a second time once an endpoint may have started it.
 */
public interface CerebrumClient extends AutoCloseable {

    /** {@code GET /health} (public). Not counted against the concurrency limit, so it answers while every permit is in use. */
    Health health();

    /** {@code GET /v1/models}. */
    ModelList models();

    /** {@code GET /v1/stats}. */
    Stats stats();

    /** {@code POST /v1/inference}: generates the whole completion. */
    InferenceResponse infer(InferenceRequest request);

    /**
     * {@link #infer} on a virtual thread. Cancelling the future interrupts the call, which aborts
     * the HTTP exchange; it completes exceptionally with a {@link CerebrumException}.
     */
    CompletableFuture<InferenceResponse> inferAsync(InferenceRequest request);

    /**
     * {@code POST /v1/inference/stream}. Refusals decided before the stream opens throw here;
     * errors after it opened come through the returned stream. Close it (try-with-resources).
     */
    InferenceStream stream(InferenceRequest request);

    /**
     * A cold publisher of the stream's events for one subscriber: the request is sent on
     * subscribe. Ends with {@code onComplete} after {@link StreamEvent.Done}; after
     * {@link StreamEvent.Error} it signals {@code onError(StreamErrorException)}; refusals come as
     * {@code onError} with the typed exception. Cancelling the subscription disconnects.
     */
    Flow.Publisher<StreamEvent> streamAsync(InferenceRequest request);

    /** {@code POST /v1/load/{model}}: loads the model now. */
    LoadResult load(String model);

    /**
     * {@code POST /v1/unload/{model}}; without {@code force} the server waits for in-flight
     * generations, with it it cancels them. Throws {@link ModelNotFoundException} (not loaded).
     */
    UnloadResult unload(String model, boolean force);

    /** {@code POST /v1/unload/{model}} without force. */
    default UnloadResult unload(String model) {
        return unload(model, false);
    }

    /** {@code POST /v1/cleanup}: unloads every idle model. */
    CleanupResult cleanup();

    /** {@code POST /v1/cleanup?idle_minutes=N}: unloads models idle at least that long. */
    CleanupResult cleanup(int idleMinutes);

    /** The client's view of each endpoint, in the order configured. */
    List<EndpointStatus> endpoints();

    /** Cancels open streams and releases connections; later calls throw {@link UnavailableException}. */
    @Override
    void close();

    /** A builder with the defaults below. */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link CerebrumClient}. Defaults: connect timeout 5 s, read timeout 120 s (until the
     * response headers of a call), stream idle timeout 60 s, {@link RetryPolicy#defaults()},
     * {@link CircuitBreakerPolicy#defaults()}, at most 64 calls in flight (streams count until
     * closed) and a 5 s wait for a permit beyond that, after which the call fails with
     * {@link OverloadedException} of kind {@code CLIENT_LIMIT} ({@code Duration.ZERO} fails at once).
     * Not thread-safe; the client it builds is.
     */
    final class Builder {
        /** Default connect timeout (the orchestrator's). */
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
        /** Default read timeout (the orchestrator's). */
        public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(120);
        /** Default stream idle timeout. */
        public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofSeconds(60);
        /** Default most calls in flight. */
        public static final int DEFAULT_MAX_IN_FLIGHT = 64;
        /** Default wait for an in-flight permit. */
        public static final Duration DEFAULT_IN_FLIGHT_WAIT = Duration.ofSeconds(5);

        private final List<URI> endpoints = new ArrayList<>();
        private String apiKey;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private Duration streamIdleTimeout = DEFAULT_STREAM_IDLE_TIMEOUT;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private CircuitBreakerPolicy circuitBreaker = CircuitBreakerPolicy.defaults();
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private Duration inFlightWait = DEFAULT_IN_FLIGHT_WAIT;

        Builder() {
        }

        /** Adds an endpoint, for example {@code http://127.0.0.1:9000}. */
        public Builder endpoint(URI endpoint) {
            endpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /** Adds an endpoint given as a string. */
        public Builder endpoint(String endpoint) {
            return endpoint(URI.create(endpoint));
        }

        /** Replaces the endpoints. */
        public Builder endpoints(List<URI> endpoints) {
            this.endpoints.clear();
            endpoints.forEach(this::endpoint);
            return this;
        }

        /** The API key, sent as {@code X-API-Key}; null sends none. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** How long a TCP connection may take. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long a call may wait for the response headers (a stream: until it opens). */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /** How long an open stream may be silent (no event, no heartbeat) before it fails. */
        public Builder streamIdleTimeout(Duration timeout) {
            this.streamIdleTimeout = positive(timeout, "streamIdleTimeout");
            return this;
        }

        /** The retry policy. */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The circuit breaker policy, applied to each endpoint separately. */
        public Builder circuitBreaker(CircuitBreakerPolicy policy) {
            this.circuitBreaker = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * At most {@code maxInFlight} calls at once (an open stream holds its permit until closed);
         * a call beyond waits up to {@code maxWait}, then fails with {@link OverloadedException}
         * of kind {@code CLIENT_LIMIT}.
         */
        public Builder concurrencyLimit(int maxInFlight, Duration maxWait) {
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1");
            }
            Objects.requireNonNull(maxWait, "maxWait");
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("maxWait must not be negative");
            }
            this.maxInFlight = maxInFlight;
            this.inFlightWait = maxWait;
            return this;
        }

        /** The client; throws {@link IllegalStateException} without an endpoint. */
        public CerebrumClient build() {
            if (endpoints.isEmpty()) {
                throw new IllegalStateException("at least one endpoint is required");
            }
            return HttpCerebrumClient.create(new ClientConfig(endpoints, apiKey, connectTimeout, readTimeout,
                    streamIdleTimeout, retryPolicy, circuitBreaker, maxInFlight, inFlightWait));
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
