package dev.cerebrum.server;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.lang.System.Logger.Level;

/**
 * Runs first for every request: assigns the request id, then, for everything but the public health
 * endpoints, the allowlist, the failed-auth limit and the key check, before any handler can do work.
 * Afterwards it maps any failure to the error body, counts the request and writes the access-log line.
 */
final class RequestFilter implements Filter {
    static final Set<String> PUBLIC_PATHS = Set.of("/health", "/health/live", "/health/ready");
    static final HeaderName API_KEY_HEADER = HeaderNames.create("X-API-Key");
    static final HeaderName REQUEST_ID = HeaderNames.create(Exchange.REQUEST_ID_HEADER);
    private static final System.Logger ACCESS = System.getLogger("dev.cerebrum.access");
    /** The status logged for a request that got no answer (its client went away first). */
    private static final int NO_ANSWER = -1;

    private final ApiKeys apiKeys;
    private final ApiKeys metricsKeys;
    private final IpAllowlist allowlist;
    private final AuthFailureLimiter limiter;
    private final Errors errors;
    private final MeterRegistry meters;

    RequestFilter(ApiKeys apiKeys, ApiKeys metricsKeys, IpAllowlist allowlist, AuthFailureLimiter limiter,
                  Errors errors, MeterRegistry meters) {
        this.apiKeys = apiKeys;
        this.metricsKeys = metricsKeys;
        this.allowlist = allowlist;
        this.limiter = limiter;
        this.errors = errors;
        this.meters = meters;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        InetAddress peerAddress = peerAddress(req.remotePeer().address());
        String peer = peerAddress == null ? "unknown" : peerAddress.getHostAddress();
        String path = req.path().path();
        String logPath = Exchange.printable(path);
        Exchange ex = new Exchange(Exchange.requestId(req.headers().first(REQUEST_ID).orElse(null)), peer,
                req.prologue().method().text(), path, logPath, System.nanoTime());
        req.context().register(ex);
        res.header(REQUEST_ID, ex.requestId);
        boolean bodyReadable = true;
        try {
            if (!PUBLIC_PATHS.contains(path)) {
                admit(req.headers(), ex, peerAddress);
            }
            chain.proceed();
        } catch (CloseConnectionException | UncheckedIOException e) {
            // The client went away, or the connection was closed under the request: there is nobody to answer.
            ex.outcome("client_closed");
            bodyReadable = false;
        } catch (Throwable t) {
            errors.send(res, ex, t);
            bodyReadable = !(t instanceof ApiException e && e.endsConnection());
            if (t instanceof Error e && !(t instanceof StackOverflowError)) {
                throw e;
            }
        } finally {
            // a client that went away before any answer got none: its status is logged as "-"
            finish(ex, res.hasEntity() ? res.status().code() : NO_ANSWER);
        }
        if (bodyReadable) {
            discardUnreadBody(req);
        }
    }

    /**
     * Reads and discards what is left of a body the answer did not need (a refusal sent before the body was read):
     * a client still sending it would otherwise have its connection reset, and could lose the answer. Helidon
     * does the same after the handler, but only on a connection it keeps open; doing it here covers a client that
     * asked for {@code Connection: close} too. The listener's max payload size bounds the bytes, and the
     * connection guard the time after the answer; a body that cannot be read to its end ends the connection.
     */
    private static void discardUnreadBody(RoutingRequest req) {
        if (req.content().consumed()) {
            return;
        }
        try {
            req.content().consume();
        } catch (RuntimeException e) {
            throw new CloseConnectionException("the rest of the request body could not be read", e);
        }
    }

    private void admit(ServerRequestHeaders headers, Exchange ex, InetAddress peerAddress) {
        if (!allowlist.allows(peerAddress)) {
            throw new ApiException(ApiError.of(403, "forbidden", "this client address is not allowed"));
        }
        Duration blocked = limiter.blockedFor(ex.peer);
        if (!blocked.isZero()) {
            throw new ApiException(ApiError.of(429, "rate_limited",
                    "too many failed authentication attempts; try again later").withRetryAfter(blocked));
        }
        List<String> presented = credentials(headers);
        // Every credential sent must be valid: a request that carries a good key in one header and a wrong one
        // in the other is refused, so a proxy or client that mixes up keys is noticed instead of half-working.
        boolean ok = !presented.isEmpty();
        for (String key : presented) {
            ok &= key != null && (apiKeys.matches(key)
                    || ("/metrics".equals(ex.path) && metricsKeys != null && metricsKeys.matches(key)));
        }
        if (!ok) {
            limiter.recordFailure(ex.peer);
            throw new ApiException(ApiError.of(401, "unauthorized", presented.isEmpty()
                    ? "an API key is required: send it in X-API-Key or Authorization: Bearer"
                    : presented.size() > 1
                    ? "invalid API key: every X-API-Key and Authorization header sent must hold a valid key"
                    : "invalid API key"));
        }
    }

    /**
     * Every credential the request carries: each {@code X-API-Key} value and each {@code Authorization} value
     * (null for one that is not {@code Bearer <key>}, which can never match).
     */
    private static List<String> credentials(ServerRequestHeaders headers) {
        List<String> found = new ArrayList<>(2);
        for (String v : headers.all(API_KEY_HEADER, List::of)) {
            found.add(v.strip());
        }
        for (String v : headers.all(HeaderNames.AUTHORIZATION, List::of)) {
            found.add(v.length() > 7 && v.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")
                    ? v.substring(7).strip() : null);
        }
        return found;
    }

    private static InetAddress peerAddress(SocketAddress address) {
        return address instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }

    private void finish(Exchange ex, int status) {
        String outcome = ex.outcome() != null ? ex.outcome() : status < 400 ? "ok" : "http_" + status;
        double ms = (System.nanoTime() - ex.startNanos) / 1e6;
        try {
            meters.counter("cerebrum.requests", "endpoint", ex.endpoint, "outcome", outcome).increment();
        } catch (RuntimeException e) {
            // A metric must never fail a request.
        }
        ACCESS.log(Level.INFO, () -> "rid=" + ex.requestId + " peer=" + ex.peer + " method=" + ex.method + " path=" + ex.logPath
                + " status=" + (status == NO_ANSWER ? "-" : Integer.toString(status)) + " model=" + (ex.model() == null ? "-" : ex.model())
                + " tokens=" + (ex.tokens() < 0 ? "-" : Integer.toString(ex.tokens()))
                + " ms=" + String.format(Locale.ROOT, "%.1f", ms) + " outcome=" + outcome);
    }
}
