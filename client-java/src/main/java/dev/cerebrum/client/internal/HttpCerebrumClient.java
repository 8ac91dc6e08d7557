package dev.cerebrum.client.internal;

import dev.cerebrum.client.CerebrumClient;
import dev.cerebrum.client.CerebrumException;
import dev.cerebrum.client.CleanupResult;
import dev.cerebrum.client.EndpointStatus;
import dev.cerebrum.client.Health;
import dev.cerebrum.client.InferenceRequest;
import dev.cerebrum.client.InferenceResponse;
import dev.cerebrum.client.InferenceStream;
import dev.cerebrum.client.LoadResult;
import dev.cerebrum.client.ModelList;
import dev.cerebrum.client.OverloadedException;
import dev.cerebrum.client.ServerErrorException;
import dev.cerebrum.client.Stats;
import dev.cerebrum.client.StreamEvent;
import dev.cerebrum.client.UnavailableException;
import dev.cerebrum.client.UnloadResult;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The {@link CerebrumClient} over {@code java.net.http}. Every call runs through
 * {@link #execute}: concurrency permit, endpoint choice (breaker, least in flight), one HTTP
 * exchange, typed outcome, and the {@link RetryPlanner}'s verdict on trying again.
 */
public final class HttpCerebrumClient implements CerebrumClient {

    private static final String USER_AGENT = "cerebrum-client-java/0.1";
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final ClientConfig config;
    private final HttpClient http;
    private final List<Endpoint> endpoints;
    private final RetryPlanner planner;
    private final Semaphore permits;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService async;
    private final LongSupplier clock = System::nanoTime;
    private final AtomicInteger rotation = new AtomicInteger();
    private final Set<InferenceStream> openStreams = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private HttpCerebrumClient(ClientConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        List<Endpoint> eps = new ArrayList<>();
        for (URI uri : config.endpoints()) {
            eps.add(new Endpoint(uri, config.breakerPolicy(), clock));
        }
        this.endpoints = List.copyOf(eps);
        this.planner = new RetryPlanner(config.retryPolicy());
        this.permits = new Semaphore(config.maxInFlight(), true);
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "cerebrum-client-idle-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.scheduler = timer;
        this.async = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cerebrum-client-", 0).factory());
    }

    /** A client for resolved settings; {@code CerebrumClient.builder()} is the public way in. */
    public static CerebrumClient create(ClientConfig config) {
        return new HttpCerebrumClient(Objects.requireNonNull(config, "config"));
    }

    // ---------------------------------------------------------------- calls

    @Override
    public Health health() {
        return execute(Call.get("/health", false), (body, id) -> Json.health(Json.object(body.readAllBytes())));
    }

    @Override
    public ModelList models() {
        return execute(Call.get("/v1/models", true), (body, id) -> Json.models(Json.object(body.readAllBytes())));
    }

    @Override
    public Stats stats() {
        return execute(Call.get("/v1/stats", true), (body, id) -> Json.stats(Json.object(body.readAllBytes())));
    }

    @Override
    public InferenceResponse infer(InferenceRequest request) {
        Objects.requireNonNull(request, "request");
        Call call = Call.post("/v1/inference", Json.encode(request), false, request.model());
        return execute(call, (body, id) -> Json.inference(Json.object(body.readAllBytes()), id));
    }

    @Override
    public CompletableFuture<InferenceResponse> inferAsync(InferenceRequest request) {
        Objects.requireNonNull(request, "request");
        InterruptingFuture<InferenceResponse> future = new InterruptingFuture<>();
        try {
            async.execute(() -> future.runOn(Thread.currentThread(), () -> infer(request)));
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(closedException(e));
        }
        return future;
    }

    @Override
    public InferenceStream stream(InferenceRequest request) {
        Objects.requireNonNull(request, "request");
        Call call = Call.post("/v1/inference/stream", Json.encode(request), true, request.model());
        return execute(call, null);
    }

    @Override
    public Flow.Publisher<StreamEvent> streamAsync(InferenceRequest request) {
        Objects.requireNonNull(request, "request");
        return new StreamPublisher(() -> stream(request), async);
    }

    @Override
    public LoadResult load(String model) {
        Call call = Call.post("/v1/load/" + segment(model), null, false, model);
        return execute(call, (body, id) -> Json.load(Json.object(body.readAllBytes())));
    }

    @Override
    public UnloadResult unload(String model, boolean force) {
        Call call = Call.post("/v1/unload/" + segment(model) + (force ? "?force=true" : ""), null, false, model);
        return execute(call, (body, id) -> Json.unload(Json.object(body.readAllBytes())));
    }

    @Override
    public CleanupResult cleanup() {
        return execute(Call.post("/v1/cleanup", null, false, null),
                (body, id) -> Json.cleanup(Json.object(body.readAllBytes())));
    }

    @Override
    public CleanupResult cleanup(int idleMinutes) {
        if (idleMinutes < 0) {
            throw new IllegalArgumentException("idleMinutes must not be negative");
        }
        return execute(Call.post("/v1/cleanup?idle_minutes=" + idleMinutes, null, false, null),
                (body, id) -> Json.cleanup(Json.object(body.readAllBytes())));
    }

    @Override
    public List<EndpointStatus> endpoints() {
        return endpoints.stream().map(Endpoint::status).toList();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (InferenceStream s : List.copyOf(openStreams)) {
            s.close();
        }
        async.shutdownNow();
        scheduler.shutdownNow();
        http.shutdownNow();
    }

    @Override
    public String toString() {
        return "CerebrumClient[" + config + "]";
    }

    // ---------------------------------------------------------------- the exchange

    /** What one call sends. */
    private record Call(String method, String path, byte[] body, boolean idempotent, boolean stream,
                        boolean limited, String model) {

        static Call get(String path, boolean limited) {
            return new Call("GET", path, null, true, false, limited, null);
        }

        static Call post(String path, byte[] body, boolean stream, String model) {
            return new Call("POST", path, body, false, stream, true, model);
        }
    }

    /** Reads a 200 answer. */
    @FunctionalInterface
    private interface OkReader<T> {
        T read(InputStream body, String requestId) throws IOException;
    }

    /** One attempt's failure: the exception to throw and how the planner should see it. */
    private record Failed(CerebrumException exception, RetryPlanner.Failure kind, Duration retryAfter) {
    }

    /**
     * Runs a call with retries and failover. For a stream ({@code reader == null}) the open stream
     * takes over the endpoint's in-flight count and the concurrency permit.
     */
    @SuppressWarnings("unchecked")
    private <T> T execute(Call call, OkReader<T> reader) {
        String requestId = newRequestId();
        if (closed) {
            throw closedException(null);
        }
        Runnable releasePermit = call.limited() ? acquirePermit(requestId) : () -> { };
        boolean handedOver = false;
        try {
            long start = clock.getAsLong();
            Set<Endpoint> failedHere = new HashSet<>();
            List<CerebrumException> earlier = new ArrayList<>();
            for (int attempt = 1; ; attempt++) {
                Picked picked = pick(failedHere);
                if (picked == null) {
                    picked = pick(Set.of());
                }
                if (picked == null) {
                    throw withEarlier(earlier.isEmpty() ? circuitOpen(requestId) : earlier.removeLast(), earlier);
                }
                Endpoint ep = picked.endpoint();
                CircuitBreaker.Permit permit = picked.permit();
                ep.inFlight.incrementAndGet();
                boolean epHandedOver = false;
                Failed failed = null;
                try {
                    HttpResponse<InputStream> response;
                    try {
                        response = http.send(request(call, ep, requestId), HttpResponse.BodyHandlers.ofInputStream());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        permit.release();
                        throw withEarlier(new UnavailableException("interrupted while waiting for the server",
                                UnavailableException.Kind.INTERRUPTED, true, requestId, ep.base, e), earlier);
                    } catch (IOException e) {
                        failed = transportFailure(e, ep, requestId);
                        if (failed.exception() instanceof UnavailableException u
                                && u.kind() == UnavailableException.Kind.CLIENT_CLOSED) {
                            permit.release();
                        } else {
                            permit.failure();
                        }
                        response = null;
                    }
                    if (response != null) {
                        String answeredId = response.headers().firstValue("X-Request-ID").orElse(requestId);
                        int status = response.statusCode();
                        if (status == 200) {
                            if (reader == null) {
                                InferenceStream s = openStream(response, ep, permit, answeredId, releasePermit);
                                epHandedOver = true;
                                handedOver = true;
                                return (T) s;
                            }
                            try (InputStream body = response.body()) {
                                T result = reader.read(body, answeredId);
                                permit.success();
                                return result;
                            } catch (WireFormatException e) {
                                permit.failure();
                                throw withEarlier(new ServerErrorException("unreadable answer: " + e.getMessage(),
                                        status, "malformed_response", answeredId, ep.base, e), earlier);
                            } catch (IOException e) {
                                permit.failure();
                                failed = new Failed(new UnavailableException("the connection broke while reading the answer",
                                        UnavailableException.Kind.CONNECTION_LOST, true, answeredId, ep.base, e),
                                        RetryPlanner.Failure.SENT_THEN_FAILED, null);
                            }
                        } else {
                            failed = refusal(response, call, ep, requestId);
                            if (status >= 500 && status != 503) {
                                permit.failure();
                            } else {
                                permit.success();
                            }
                        }
                    }
                } finally {
                    if (!epHandedOver) {
                        ep.inFlight.decrementAndGet();
                    }
                }
                Objects.requireNonNull(failed, "failed");
                failedHere.add(ep);
                Duration elapsed = Duration.ofNanos(clock.getAsLong() - start);
                RetryPlanner.Decision decision = planner.decide(attempt, failed.kind(), failed.retryAfter(),
                        call.idempotent(), elapsed, alternativeAvailable(failedHere));
                if (!decision.retry() || closed) {
                    throw withEarlier(failed.exception(), earlier);
                }
                earlier.add(failed.exception());
                if (!decision.delay().isZero()) {
                    sleep(decision.delay(), failed.exception(), earlier);
                }
            }
        } finally {
            if (!handedOver) {
                releasePermit.run();
            }
        }
    }

    private HttpRequest request(Call call, Endpoint ep, String requestId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(ep.resolve(call.path()))
                .timeout(config.readTimeout())
                .header("X-Request-ID", requestId)
                .header("User-Agent", USER_AGENT)
                .header("Accept", call.stream() ? "text/event-stream" : "application/json");
        if (config.apiKey() != null) {
            b.header("X-API-Key", config.apiKey());
        }
        if (call.method().equals("GET")) {
            b.GET();
        } else if (call.body() != null) {
            b.header("Content-Type", "application/json");
            b.POST(HttpRequest.BodyPublishers.ofByteArray(call.body()));
        } else {
            b.POST(HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }

    private Failed transportFailure(IOException e, Endpoint ep, String requestId) {
        if (closed) {
            return new Failed(closedException(e), RetryPlanner.Failure.FINAL, null);
        }
        // HttpConnectTimeoutException is an HttpTimeoutException: test it first, it means nothing was sent.
        if (e instanceof HttpConnectTimeoutException) {
            return new Failed(new UnavailableException("connecting to " + ep.base + " timed out",
                    UnavailableException.Kind.CONNECT_TIMEOUT, false, requestId, ep.base, e),
                    RetryPlanner.Failure.NOT_SENT, null);
        }
        if (e instanceof ConnectException) {
            return new Failed(new UnavailableException("cannot connect to " + ep.base,
                    UnavailableException.Kind.CONNECT_FAILED, false, requestId, ep.base, e),
                    RetryPlanner.Failure.NOT_SENT, null);
        }
        if (e instanceof HttpTimeoutException) {
            return new Failed(new UnavailableException("no answer from " + ep.base + " within the read timeout",
                    UnavailableException.Kind.RESPONSE_TIMEOUT, true, requestId, ep.base, e),
                    RetryPlanner.Failure.SENT_THEN_FAILED, null);
        }
        return new Failed(new UnavailableException("the connection to " + ep.base + " broke",
                UnavailableException.Kind.CONNECTION_LOST, true, requestId, ep.base, e),
                RetryPlanner.Failure.SENT_THEN_FAILED, null);
    }

    private Failed refusal(HttpResponse<InputStream> response, Call call, Endpoint ep, String requestId) {
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            body = new byte[0];
        }
        int status = response.statusCode();
        CerebrumException ex = ErrorMapper.map(status, response.headers(), body, ep.base, requestId, call.model());
        if (ex instanceof OverloadedException o && o.kind() != OverloadedException.Kind.RATE_LIMITED) {
            return new Failed(ex, RetryPlanner.Failure.REFUSED, o.retryAfter().orElse(null));
        }
        return new Failed(ex, RetryPlanner.Failure.FINAL, null);
    }

    private InferenceStream openStream(HttpResponse<InputStream> response, Endpoint ep, CircuitBreaker.Permit permit,
                                       String requestId, Runnable releasePermit) {
        permit.success();
        HttpInferenceStream s = new HttpInferenceStream(response.body(), ep.base, requestId, scheduler,
                config.streamIdleTimeout().toNanos(), clock, ep.breaker::lateFailure, released -> {
            ep.inFlight.decrementAndGet();
            releasePermit.run();
            openStreams.remove(released);
        });
        openStreams.add(s);
        if (closed) {
            s.close();
        }
        return s;
    }

    // ---------------------------------------------------------------- endpoints, permits, time

    private record Picked(Endpoint endpoint, CircuitBreaker.Permit permit) {
    }

    /** A reachable endpoint not failed in this call, fewest in flight first, ties rotated; null if none. */
    private Picked pick(Set<Endpoint> exclude) {
        int n = endpoints.size();
        int offset = Math.floorMod(rotation.getAndIncrement(), n);
        List<Endpoint> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Endpoint ep = endpoints.get((offset + i) % n);
            if (!exclude.contains(ep)) {
                order.add(ep);
            }
        }
        order.sort(Comparator.comparingInt(ep -> ep.inFlight.get()));
        for (Endpoint ep : order) {
            CircuitBreaker.Permit permit = ep.breaker.tryAcquire();
            if (permit != null) {
                return new Picked(ep, permit);
            }
        }
        return null;
    }

    private boolean alternativeAvailable(Set<Endpoint> failedHere) {
        for (Endpoint ep : endpoints) {
            if (!failedHere.contains(ep) && ep.breaker.wouldAllow()) {
                return true;
            }
        }
        return false;
    }

    private UnavailableException circuitOpen(String requestId) {
        long next = endpoints.stream().mapToLong(ep -> ep.breaker.nanosUntilProbe()).min().orElse(0);
        return new UnavailableException("every endpoint's circuit breaker is open; the next probe is allowed in "
                + TimeUnit.NANOSECONDS.toMillis(next) + " ms", UnavailableException.Kind.CIRCUIT_OPEN, false,
                requestId, null, null);
    }

    private Runnable acquirePermit(String requestId) {
        boolean acquired;
        try {
            Duration wait = config.inFlightWait();
            acquired = wait.isZero() ? permits.tryAcquire() : permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for an in-flight permit",
                    UnavailableException.Kind.INTERRUPTED, false, requestId, null, e);
        }
        if (!acquired) {
            throw new OverloadedException("more than " + config.maxInFlight() + " calls in flight in this client",
                    0, "client_limit", OverloadedException.Kind.CLIENT_LIMIT, null, null, requestId, null);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                permits.release();
            }
        };
    }

    private static void sleep(Duration delay, CerebrumException last, List<CerebrumException> earlier) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            earlier.remove(last);
            UnavailableException u = new UnavailableException("interrupted while waiting to retry",
                    UnavailableException.Kind.INTERRUPTED, false, last.requestId(), last.endpoint(), e);
            u.addSuppressed(last);
            throw withEarlier(u, earlier);
        }
    }

    private static CerebrumException withEarlier(CerebrumException e, List<CerebrumException> earlier) {
        for (CerebrumException x : earlier) {
            if (x != e) {
                e.addSuppressed(x);
            }
        }
        return e;
    }

    private UnavailableException closedException(Throwable cause) {
        return new UnavailableException("the client is closed", UnavailableException.Kind.CLIENT_CLOSED, false,
                null, null, cause);
    }

    private static String segment(String model) {
        Objects.requireNonNull(model, "model");
        return URLEncoder.encode(model, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String newRequestId() {
        return "cj-" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    /** A future whose {@code cancel} interrupts the thread running it, which aborts the HTTP exchange. */
    private static final class InterruptingFuture<T> extends CompletableFuture<T> {
        private volatile Thread worker;

        void runOn(Thread thread, java.util.function.Supplier<T> work) {
            worker = thread;
            try {
                if (!isDone()) {
                    complete(work.get());
                }
            } catch (Throwable t) {
                completeExceptionally(t);
            } finally {
                worker = null;
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Thread t = worker;
            if (cancelled && t != null) {
                t.interrupt();
            }
            return cancelled;
        }
    }
}
