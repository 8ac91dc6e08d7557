package dev.cerebrum.server;

import dev.cerebrum.config.SettingsSources;
import dev.cerebrum.config.SettingsTable;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.gguf.SuccessorModel;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.InferenceEngineProvider;
import dev.cerebrum.guard.Engines;
import dev.cerebrum.guard.HostProbe;
import dev.cerebrum.guard.ModelEntry;
import dev.cerebrum.guard.ModelManager;
import dev.cerebrum.guard.ModelRegistry;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.lang.System.Logger.Level;

/**
 * The Cerebrum backend: the HTTP API of {@code docs/wire.md} over the model manager. Start it with
 * {@link #start(Map)}; {@link #close()} stops it gracefully and ends every worker process.
 */
public final class CerebrumServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CerebrumServer.class.getName());
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final Set<String> KNOWN_PATHS = Set.of("/health", "/health/live", "/health/ready", "/v1/inference",
            "/v1/inference/stream", "/v1/chat/completions", "/v1/completions", "/v1/models", "/v1/stats", "/v1/cleanup",
            "/metrics");
    private static final Pattern MODEL_PATHS = Pattern.compile("/v1/(load|unload)/[^/]+");

    private final Settings settings;
    private final ServerLogging logging;
    private final Engines engines;
    private final ModelManager manager;
    private final PrometheusMeterRegistry meters;
    private final ConnectionGuard connections;
    private final Function<Integer, WebServer> listen;
    private final ListenerWatchdog watchdog;
    private volatile WebServer server;
    private volatile boolean listenerLost;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean accepting;
    private final int port;
    private final Generations generations;

    private CerebrumServer(Settings settings, ServerLogging logging, Engines engines, ModelManager manager,
                           PrometheusMeterRegistry meters, ConnectionGuard connections,
                           Function<Integer, WebServer> listen, WebServer server, AtomicBoolean accepting,
                           Generations generations) {
        this.generations = generations;
        this.settings = settings;
        this.accepting = accepting;
        this.logging = logging;
        this.engines = engines;
        this.manager = manager;
        this.meters = meters;
        this.connections = connections;
        this.listen = listen;
        this.server = server;
        this.port = server.port();
        this.watchdog = new ListenerWatchdog(probeAddress(settings.bindIp(), port), this::listenAgain,
                this::stopAfterListenerLoss, ListenerWatchdog.PERIOD, ListenerWatchdog.RECOVERY_TIME);
    }

    /**
     * Resolves the settings and starts the server. Settings come from, lowest first: the YAML file named by
     * {@code CEREBRUM_CONFIG_FILE}, {@code .env} in the working directory, the process environment, then
     * {@code overrides}.
     *
     * @param overrides settings that win over every other source (tests use {@code CEREBRUM_VPS_PORT=0})
     * @return the running server
     * @throws IllegalArgumentException when a setting is missing or invalid (the API key above all); the
     *                                  message names the setting and never contains a key
     * @throws IllegalStateException    when the server cannot start, for example when the port is taken
     */
    public static CerebrumServer start(Map<String, String> overrides) {
        return start(overrides, null);
    }

    /** Tests pass a host probe to set CPU and RAM readings; null reads the host with OSHI. */
    static CerebrumServer start(Map<String, String> overrides, HostProbe probe) {
        Path workDir = Path.of("").toAbsolutePath();
        Settings settings = Settings.from(SettingsSources.merge(workDir, System.getenv(), Map.copyOf(overrides)),
                workDir);
        return start(settings, probe);
    }

    private static CerebrumServer start(Settings settings, HostProbe probe) {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            ServerLogging logging = ServerLogging.install(settings.logDir());
            opened.push(logging);
            long startNanos = System.nanoTime();

            ModelRegistry registry = registry(settings);
            Files.createDirectories(settings.runDir());
            Engines engines = Engines.create(settings.engine(), registry.entries(), InferenceEngines.providers(),
                    provider -> provider.create(engineOptions(settings, provider)));
            opened.push(engines);
            ModelManager manager = probe == null ? ModelManager.create(engines, registry, settings.guard())
                    : ModelManager.create(engines, registry, settings.guard(), probe);
            opened.push(manager);
            logEngines(engines, manager);

            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            opened.push(meters::close);
            bind(meters, manager, new JvmMemoryMetrics(), new JvmThreadMetrics(), new ProcessorMetrics(),
                    new UptimeMetrics());

            Errors errors = new Errors(settings.guard().retryAfter(), settings.maxBodyBytes());
            VirtualThreadPoller.start();
            DescriptorBudget descriptors = DescriptorBudget.ofThisProcess();
            ConnectionGuard connections = new ConnectionGuard(connectionLimits(settings, descriptors),
                    settings.allowlist(), descriptors, settings.guard().retryAfter());
            opened.push(connections);
            HelidonConnectionLog.install(connections);
            opened.push(() -> HelidonConnectionLog.uninstall(connections));
            bind(meters, connections);
            AtomicBoolean accepting = new AtomicBoolean(true);
            HealthService health = new HealthService(manager, startNanos, accepting::get);
            RequestFilter filter = new RequestFilter(ApiKeys.of(settings.apiKeys()),
                    settings.metricsToken() == null ? null : ApiKeys.of(List.of(settings.metricsToken())),
                    settings.allowlist(), new AuthFailureLimiter(settings.authFailuresPerMinute()), errors, meters);
            InferenceBody.Limits limits = new InferenceBody.Limits(settings.maxBodyBytes(), settings.maxPromptChars(),
                    settings.maxTokensLimit());
            Generations generations = new Generations(manager, HEARTBEAT, settings.guard().retryAfter());
            InferenceService inference = new InferenceService(generations, limits);
            OpenAiService openAi = new OpenAiService(generations, new ChatPrompts(registry, Clock.systemDefaultZone()),
                    limits);
            AdminService admin = new AdminService(manager, health::uptimeSeconds, Instant.now().getEpochSecond());
            MetricsService metrics = new MetricsService(meters);

            // Builds and starts a listener on a port; the watchdog calls it again if Helidon ends the listener.
            Function<Integer, WebServer> listen = port -> WebServer.builder()
                    .host(settings.bindIp())
                    .port(port)
                    .shutdownGracePeriod(settings.shutdownGrace())
                    .shutdownHook(false)
                    // The guard is the only connection selector: it sees every connection before a byte is read.
                    .protocolsDiscoverServices(false)
                    .addConnectionSelector(connections)
                    .maxTcpConnections(connections.hardLimit())
                    .connectionOptions(o -> o.tcpNoDelay(true))
                    // Bounds what is read of any body, the discarded rest of a refused one included.
                    .maxPayloadSize(limits.maxPayloadBytes())
                    .directHandlers(errors.directHandlers())
                    .routing(r -> routing(r, filter, errors, health, inference, openAi, admin, metrics))
                    .build()
                    .start();
            WebServer web;
            try {
                web = listen.apply(settings.port());
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot listen on " + settings.bindIp() + ":" + settings.port() + ": "
                        + Errors.safe(rootMessage(e)), e);
            }
            opened.push(web::stop);
            CerebrumServer server = new CerebrumServer(settings, logging, engines, manager, meters, connections, listen,
                    web, accepting, generations);
            LOG.log(Level.INFO, () -> "Cerebrum backend listening on http://" + hostForUrl(settings.bindIp()) + ":" + web.port()
                    + " (models: " + registry.entries().stream().map(ModelEntry::name).toList()
                    + (registry.isDemo() ? ", demo registry" : "") + "; allowed peers: " + settings.allowlist()
                    + "; " + settings.apiKeys().size() + " API key(s) configured)");
            return server;
        } catch (IOException e) {
            closeAll(opened);
            throw new IllegalStateException("cannot start: " + Errors.safe(e.getMessage()), e);
        } catch (RuntimeException | Error e) {
            closeAll(opened);
            throw e;
        }
    }

    /** An engine's options: its own folder in the run folder (sockets, worker folders, native scratch). */
    private static EngineOptions engineOptions(Settings settings, InferenceEngineProvider provider) {
        return new EngineOptions(settings.runDir().resolve(provider.name()), settings.engineProperties());
    }

    /**
     * Says which engines serve, which cannot run here and how to get them, and which models wait for them: a
     * server without the current llama.cpp still serves the models the old engine loads.
     */
    private static void logEngines(Engines engines, ModelManager manager) {
        LOG.log(Level.INFO, () -> "engines: " + engines.available() + ", the default for models that name none: "
                + engines.defaultName());
        for (String note : engines.notes()) {
            LOG.log(Level.WARNING, "engines: " + note);
        }
        manager.modelsAwaitingEngines().forEach((engine, models) -> LOG.log(Level.WARNING, "models " + models + " need the "
                + engine + " engine, which is not available on this server"
                + engines.remedy(engine).map(r -> "; to get it: " + r).orElse("")));
    }

    /**
     * The connection limits the descriptor limit allows, logged. Fewer connections than configured are served
     * when the limit leaves too little room; too little room for even a few refuses the start.
     */
    private static ConnectionLimits connectionLimits(Settings settings, DescriptorBudget budget) {
        ConnectionLimits limits = settings.connections();
        if (!budget.known()) {
            LOG.log(Level.INFO, () -> "file descriptors: the limit cannot be read on this platform; serving at most "
                    + limits.maxConnections() + " connections, " + limits.maxPerPeer() + " per client address");
            return limits;
        }
        int room = budget.connectionRoom();
        String descriptors = "file descriptors: limit " + budget.limit() + ", " + budget.open() + " open, "
                + DescriptorBudget.RESERVE + " kept for files and model workers";
        if (room < DescriptorBudget.MIN_CONNECTIONS) {
            throw new IllegalStateException(descriptors + ": room for only " + room + " connections. Raise the"
                    + " open-files limit (ulimit -n, or LimitNOFILE= in the systemd unit) to at least "
                    + (budget.limit() - room + 64));
        }
        if (room < limits.maxConnections()) {
            ConnectionLimits lowered = limits.withMaxConnections(room);
            LOG.log(Level.WARNING, descriptors + ": room for " + room + " connections, so " + SettingsTable.MAX_CONNECTIONS.name() + "="
                    + limits.maxConnections() + " is lowered to " + room + " (" + lowered.maxPerPeer()
                    + " per client address). Raise the open-files limit to serve more.");
            return lowered;
        }
        LOG.log(Level.INFO, () -> descriptors + ": room for " + room + " connections; serving at most "
                + limits.maxConnections() + ", " + limits.maxPerPeer() + " per client address (headers within "
                + limits.headerTimeout().toMillis() / 1000.0 + " s, keep-alive "
                + limits.idleTimeout().toMillis() / 1000.0 + " s)");
        return limits;
    }

    /** Where the watchdog checks that the listener still accepts: a wildcard address is reached on loopback. */
    static InetSocketAddress probeAddress(String bindIp, int port) {
        try {
            InetAddress address = InetAddress.getByName(bindIp);
            if (address.isAnyLocalAddress()) {
                address = address instanceof java.net.Inet6Address ? InetAddress.getByName("::1")
                        : InetAddress.getLoopbackAddress();
            }
            return new InetSocketAddress(address, port);
        } catch (java.net.UnknownHostException e) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }
    }

    /** Replaces a listener Helidon has ended with a new one on the same port; false while that fails. */
    private synchronized boolean listenAgain() {
        if (closing.get()) {
            return true;
        }
        WebServer old = server;
        quietly("the ended listener", old::stop);
        try {
            server = listen.apply(port);
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot listen on port " + port + " yet: " + Errors.safe(rootMessage(e)));
            return false;
        }
    }

    /** The listener could not be brought back: the server stops, and {@link #listenerLost()} says why. */
    private void stopAfterListenerLoss() {
        listenerLost = true;
        Thread.ofPlatform().name("cerebrum-stop-after-listener-loss").start(this::close);
    }

    /** True when the server stopped because it could no longer listen; the process should exit non-zero. */
    public boolean listenerLost() {
        return listenerLost;
    }

    private static void routing(HttpRouting.Builder r, RequestFilter filter, Errors errors, HealthService health,
                                InferenceService inference, OpenAiService openAi, AdminService admin,
                                MetricsService metrics) {
        r.addFilter(filter)
                .register(health, inference, openAi, admin, metrics)
                .any(CerebrumServer::unrouted)
                .error(Throwable.class, (req, res, t) -> {
                    Exchange ex = req.context().get(Exchange.class).orElse(null);
                    if (ex != null) {
                        errors.send(res, ex, t);
                    }
                });
    }

    /** Everything no route took: a known path with another method is 405, anything else 404. */
    private static void unrouted(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        if (KNOWN_PATHS.contains(path) || MODEL_PATHS.matcher(path).matches()) {
            throw new ApiException(ApiError.of(405, "method_not_allowed", req.prologue().method().text()
                    + " is not allowed on this endpoint"));
        }
        throw new ApiException(ApiError.of(404, "not_found", "no such endpoint"));
    }

    /** Loads the registry; a demo registry gets its model file written first when it is missing. */
    private static ModelRegistry registry(Settings settings) throws IOException {
        ModelRegistry registry = ModelRegistry.load(settings.guard());
        if (registry.isDemo()) {
            Path demo = settings.guard().modelsDir().resolve(ModelRegistry.DEMO_FILE);
            if (!Files.exists(demo)) {
                Files.createDirectories(demo.getParent());
                Path tmp = Files.createTempFile(demo.getParent(), ".demo-", ".gguf.tmp");
                try {
                    // The chat known-answer model: it answers raw prompts and, with its ChatML template, chats.
                    SuccessorModel.writeChatMl(tmp);
                    Files.move(tmp, demo, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
                LOG.log(Level.INFO, "no models file: wrote the demo model " + ModelRegistry.DEMO_FILE + " so the server answers at once");
                registry = ModelRegistry.load(settings.guard());
            }
        }
        for (String problem : registry.problems()) {
            LOG.log(Level.WARNING, "models file: " + problem);
        }
        for (ModelEntry entry : registry.entries()) {
            if (entry instanceof ModelEntry.Broken broken) {
                LOG.log(Level.WARNING, "model '" + broken.name() + "' is unavailable: " + broken.reason());
            }
        }
        return registry;
    }

    private static void bind(PrometheusMeterRegistry meters, MeterBinder... binders) {
        for (MeterBinder binder : binders) {
            try {
                binder.bindTo(meters);
            } catch (RuntimeException e) {
                // A meter the platform cannot provide is skipped, never fatal.
                LOG.log(Level.DEBUG, "meter binder skipped: " + binder.getClass().getSimpleName(), e);
            }
        }
    }

    /** The port the server listens on (or listened on, once closed). */
    public int port() {
        return port;
    }

    /**
     * Stops the server: no new connections, running requests get the shutdown grace period
     * ({@code CEREBRUM_SHUTDOWN_GRACE_SECONDS}) to finish and are then cancelled, and every model is
     * unloaded so no worker process outlives the server. Idempotent; later calls wait for the first.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            accepting.set(false);
            LOG.log(Level.INFO, () -> "stopping: running requests have " + settings.shutdownGrace().toMillis() / 1000.0
                    + " s to finish");
            // Shortly before the grace period ends, running generations are ended with a clear final answer.
            long notifyAfter = Math.max(0, settings.shutdownGrace().toMillis() - 300);
            Thread notifier = Thread.ofVirtual().name("cerebrum-shutdown-notifier").start(() -> {
                try {
                    Thread.sleep(notifyAfter);
                    generations.cancelAll();
                } catch (InterruptedException e) {
                    // every request finished in time
                }
            });
            watchdog.close();
            synchronized (this) {
                quietly("web server", server::stop);
            }
            notifier.interrupt();
            connections.close();
            HelidonConnectionLog.uninstall(connections);
            quietly("model manager", manager::close);
            quietly("engines", engines::close);
            quietly("meters", meters::close);
            LOG.log(Level.INFO, "stopped");
            quietly("logging", logging::close);
        } finally {
            stopped.countDown();
        }
    }

    /** Blocks until {@link #close()} has finished. */
    void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The resolved settings, for the launcher and tests. */
    Settings settings() {
        return settings;
    }

    /** The connection guard, for tests that look at connections. */
    ConnectionGuard connections() {
        return connections;
    }

    /** The model manager, for tests that look at slots and workers. */
    ModelManager manager() {
        return manager;
    }

    private static void quietly(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping the " + what + " failed", e);
        }
    }

    private static void closeAll(Deque<AutoCloseable> opened) {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                LOG.log(Level.DEBUG, "cleanup after a failed start", e);
            }
        }
    }

    static String hostForUrl(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
