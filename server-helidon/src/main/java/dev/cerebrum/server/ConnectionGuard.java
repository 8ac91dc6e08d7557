package dev.cerebrum.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.lang.System.Logger.Level;

/**
 * Keeps the listener alive: every accepted connection passes here before Helidon's HTTP/1.1 code sees it.
 * <ul>
 *     <li>It is admitted, or answered 503 with {@code Retry-After} and closed, when too few file descriptors are
 *     left, when the server holds {@link ConnectionLimits#maxConnections()}, when its address holds
 *     {@link ConnectionLimits#maxPerPeer()}, or, with an allowlist, when the addresses outside it hold their
 *     share.</li>
 *     <li>Its first request line is looked at: bytes that are not HTTP/1.1 get 400 (or 505) and a close.</li>
 *     <li>A connection that does not finish its request headers within the header timeout is closed (with 408
 *     when part of them arrived), so is one whose request body stops arriving for that long (with 408), one
 *     whose refused body is still arriving that long after the answer, and one kept alive longer than the idle
 *     timeout without a request.</li>
 * </ul>
 * It is Helidon's only connection selector, so Helidon hands it every connection at once, before reading any
 * byte. What happens is counted in metrics and summed up in one log line at most every ten seconds.
 */
final class ConnectionGuard implements ServerConnectionSelector, MeterBinder, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConnectionGuard.class.getName());
    private static final Duration TICK = Duration.ofMillis(250);
    private static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(10);

    private final ConnectionLimits limits;
    private final IpAllowlist allowlist;
    private final DescriptorBudget descriptors;
    private final Duration retryAfter;
    private final Http1ConnectionSelector http1;
    private final int maxRequestLineLength;
    private final Set<GuardedConnection> live = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, Integer> perPeer = new ConcurrentHashMap<>();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger outsiders = new AtomicInteger();
    private final Map<ConnectionEvent, AtomicLong> sinceSummary = new EnumMap<>(ConnectionEvent.class);
    private final ScheduledExecutorService ticker;
    private volatile MeterRegistry meters;
    private volatile String lastPeer;
    private volatile String lastError;
    private long lastSummaryNanos = System.nanoTime();
    private long lastDescriptorReading = System.nanoTime();

    /**
     * @param limits      the limits to enforce (already lowered to what the descriptor limit allows)
     * @param allowlist   the peers allowed to call the API; with a restrictive one, the others get a share
     * @param descriptors the process's descriptor budget
     * @param retryAfter  the {@code Retry-After} of refusals
     */
    ConnectionGuard(ConnectionLimits limits, IpAllowlist allowlist, DescriptorBudget descriptors,
                    Duration retryAfter) {
        this.limits = limits;
        this.allowlist = allowlist;
        this.descriptors = descriptors;
        this.retryAfter = retryAfter;
        Http1Config http1Config = Http1Config.builder()
                .addReceiveListener(GuardedConnection.RECEIVE_LISTENER)
                .addSendListener(GuardedConnection.SEND_LISTENER)
                .build();
        this.http1 = Http1ConnectionSelector.builder().config(http1Config).build();
        this.maxRequestLineLength = http1Config.maxPrologueLength();
        for (ConnectionEvent e : ConnectionEvent.values()) {
            sinceSummary.put(e, new AtomicLong());
        }
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cerebrum-connections");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The most connections Helidon may accept at once: the served ones plus room to answer refusals. */
    int hardLimit() {
        return limits.maxConnections() + DescriptorBudget.REFUSAL_MARGIN;
    }

    /** Connections admitted and open now. */
    int admittedConnections() {
        return admitted.get();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    @Override
    public Support supports(BufferData request) {
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of("http/1.1");
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        InetAddress peer = ctx.remotePeer().address() instanceof InetSocketAddress isa ? isa.getAddress() : null;
        boolean outsider = !allowlist.allowsAll() && !allowlist.allows(peer);
        ConnectionEvent refusal = admit(peer, outsider);
        GuardedConnection connection = new GuardedConnection(this, ctx, peer, outsider, refusal);
        if (refusal == null) {
            connection.attach(http1.connection(connection.context()));
        } else {
            count(refusal, peer);
        }
        live.add(connection);
        return connection;
    }

    /** Returns a connection's place; called once, when its handling ends. */
    void release(GuardedConnection connection) {
        if (!live.remove(connection) || connection.refusal() != null) {
            return;
        }
        admitted.decrementAndGet();
        if (connection.outsider()) {
            outsiders.decrementAndGet();
        }
        if (connection.peer() != null) {
            perPeer.computeIfPresent(connection.peer(), (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Null when the connection may be served, else why not; counts it in when it may. */
    private ConnectionEvent admit(InetAddress peer, boolean outsider) {
        if (descriptors.low(live.size() + 1)) {
            return ConnectionEvent.REFUSED_DESCRIPTORS;
        }
        if (admitted.incrementAndGet() > limits.maxConnections()) {
            admitted.decrementAndGet();
            return ConnectionEvent.REFUSED_TOTAL;
        }
        if (outsider && outsiders.incrementAndGet() > limits.outsiderShare()) {
            outsiders.decrementAndGet();
            admitted.decrementAndGet();
            return ConnectionEvent.REFUSED_OUTSIDERS;
        }
        if (peer != null) {
            boolean[] room = {false};
            perPeer.compute(peer, (k, n) -> {
                int held = n == null ? 0 : n;
                room[0] = held < limits.maxPerPeer();
                return room[0] ? held + 1 : n;
            });
            if (!room[0]) {
                if (outsider) {
                    outsiders.decrementAndGet();
                }
                admitted.decrementAndGet();
                return ConnectionEvent.REFUSED_PEER;
            }
        }
        return null;
    }

    /** The answer to a refused connection. */
    ApiError refusalError(ConnectionEvent refusal) {
        String reason = switch (refusal) {
            case REFUSED_DESCRIPTORS -> "the server is short of file descriptors";
            case REFUSED_PEER -> "too many connections from this address (at most " + limits.maxPerPeer() + ")";
            case REFUSED_OUTSIDERS, REFUSED_TOTAL -> "too many connections";
            default -> throw new IllegalArgumentException(refusal + " is not a refusal");
        };
        return ApiError.unavailable("too_many_connections", reason, retryAfter);
    }

    /** The longest first request line looked at before Helidon parses it. */
    int maxRequestLineLength() {
        return maxRequestLineLength;
    }

    /** Counts an event; the summary line names the address that caused the last one. */
    void count(ConnectionEvent event, InetAddress peer) {
        sinceSummary.get(event).incrementAndGet();
        if (event.summary() != null && peer != null) {
            lastPeer = peer.getHostAddress();
        }
        MeterRegistry m = meters;
        if (m != null) {
            try {
                m.counter(event.metric(), "reason", event.reason()).increment();
            } catch (RuntimeException e) {
                // A metric must never fail a connection.
            }
        }
    }

    /** Counts a connection failure Helidon reported; the summary line shows the last one's description. */
    void connectionError(String description) {
        lastError = description;
        count(ConnectionEvent.CONNECTION_ERROR, null);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.meters = registry;
        registry.gauge("cerebrum.connections.open", admitted);
        for (ConnectionEvent e : ConnectionEvent.values()) {
            registry.counter(e.metric(), "reason", e.reason());
        }
    }

    /** Stops the timeouts; the connections themselves are closed by Helidon as it stops. */
    @Override
    public void close() {
        ticker.shutdownNow();
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            for (GuardedConnection c : live) {
                switch (c.expire(now, limits.headerTimeout(), limits.idleTimeout())) {
                    case NONE -> {
                    }
                    case CLOSE -> c.closeSocket();
                    case HEADERS_LATE -> c.answerAndClose(ApiError.of(408, "request_timeout",
                            "the request headers did not arrive within " + seconds(limits.headerTimeout())));
                    case BODY_STALLED -> c.answerAndClose(ApiError.of(408, "request_timeout",
                            "the request body stopped arriving for " + seconds(limits.headerTimeout())));
                }
            }
            if (now - lastDescriptorReading >= TimeUnit.SECONDS.toNanos(1)) {
                lastDescriptorReading = now;
                descriptors.refresh(live.size());
            }
            if (now - lastSummaryNanos >= SUMMARY_INTERVAL.toNanos()) {
                lastSummaryNanos = now;
                summarise();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "connection timeouts: " + Errors.safe(e.getMessage()), e);
        }
    }

    /** One line for everything noteworthy since the last one; nothing when nothing happened. */
    private void summarise() {
        StringJoiner parts = new StringJoiner(", ");
        boolean refused = false;
        for (ConnectionEvent e : ConnectionEvent.values()) {
            long n = sinceSummary.get(e).getAndSet(0);
            if (n > 0 && e.summary() != null) {
                parts.add(n + " " + e.summary());
                refused |= e.refusal();
            }
        }
        if (parts.length() == 0) {
            return;
        }
        String error = lastError;
        lastError = null;
        String line = "connections in the last " + SUMMARY_INTERVAL.toSeconds() + " s: " + parts
                + (lastPeer == null ? "" : "; last from " + lastPeer)
                + (error == null ? "" : "; last error: " + error)
                + "; " + admitted.get() + " open";
        LOG.log(refused ? Level.WARNING : Level.INFO, line);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
    }
}
