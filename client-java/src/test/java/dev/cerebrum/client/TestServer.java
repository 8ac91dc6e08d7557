package dev.cerebrum.client;

import dev.cerebrum.gguf.testing.TestModels;
import dev.cerebrum.server.CerebrumServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** A real Cerebrum server in this JVM, on loopback, serving the successor test model as {@code demo}. */
final class TestServer implements AutoCloseable {

    static final String KEY = "client-it-key-5f2c9a7e1b";
    static final String MODEL = "demo";
    /**
     * Only "a" then "b" and again "a" …: the successor model wants "b" after "a" but "c" after "b", and
     * the grammar never lets it end, so a generation runs until max_tokens. It keeps a slot busy.
     */
    static final String ENDLESS_GRAMMAR = "root ::= \"ab\" root";
    /** The engine allows at most 4x the model's trained context of 512, shared by the slots. */
    private static final int CONTEXT = 2048;

    private final Path dir;
    private final Map<String, String> settings;
    private final int parallel;
    private CerebrumServer server;
    private int port;

    private TestServer(Path dir, Map<String, String> settings, int parallel) {
        this.dir = dir;
        this.settings = settings;
        this.parallel = parallel;
    }

    /** Starts a server with one slot and {@code extra} settings (environment variable names). */
    static TestServer start(Map<String, String> extra) {
        return start(1, extra);
    }

    /** Starts a server whose model has {@code parallel} slots. */
    static TestServer start(int parallel, Map<String, String> extra) {
        try {
            Path dir = Files.createTempDirectory("cerebrum-client-it");
            Path models = dir.resolve("models.yaml");
            Files.writeString(models, "models:\n  " + MODEL + ":\n    path: " + TestModels.successor().toAbsolutePath()
                    + "\n    ctx_size: " + CONTEXT + "\n    parallel: " + parallel + "\n");
            Map<String, String> s = new HashMap<>();
            s.put("CEREBRUM_VPS_PORT", "0");
            s.put("VPS_BIND_IP", "127.0.0.1");
            s.put("CEREBRUM_API_KEY", KEY);
            s.put("CEREBRUM_MODELS_FILE", models.toString());
            s.put("CEREBRUM_MODELS_DIR", dir.toString());
            s.put("CEREBRUM_LOG_DIR", dir.resolve("logs").toString());
            s.put("CEREBRUM_RUN_DIR", dir.resolve("run").toString());
            s.put("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "1");
            s.put("MAX_CPU_PERCENT", "100");
            s.put("CEREBRUM_MIN_FREE_RAM_MB", "0");
            s.putAll(extra);
            TestServer t = new TestServer(dir, s, parallel);
            t.restart();
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** (Re)starts on the same port as before (a random one the first time). */
    void restart() {
        Map<String, String> s = new HashMap<>(settings);
        if (port != 0) {
            s.put("CEREBRUM_VPS_PORT", Integer.toString(port));
        }
        server = CerebrumServer.start(s);
        port = server.port();
    }

    /** Stops the server; {@link #restart()} brings it back on the same port. */
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client builder for this server with short, test-sized timeouts. */
    CerebrumClient.Builder client() {
        return CerebrumClient.builder().endpoint(uri()).apiKey(KEY)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(30))
                .streamIdleTimeout(Duration.ofSeconds(10));
    }

    /** This server's worker processes (children of this JVM started in its run directory). */
    List<ProcessHandle> workers() {
        String runDir = dir.resolve("run").toString();
        return ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().map(c -> c.contains(runDir)).orElse(false))
                .toList();
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp folder left behind is harmless.
        }
    }

    /** Tokens a slot's context leaves for a completion of a 2-letter prompt. */
    int longTokens() {
        return CONTEXT / parallel - 16;
    }

    /** A request that keeps a slot busy for {@link #longTokens()} tokens. */
    InferenceRequest endless() {
        return InferenceRequest.builder(MODEL, "ab").greedy().maxTokens(longTokens()).grammar(ENDLESS_GRAMMAR).build();
    }

    /** A loopback port nothing listens on (free at the time of the call). */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits up to {@code timeout} for {@code condition}; false if it never held. */
    static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    /** The model's busy slots as the server reports them. */
    static int slotsBusy(CerebrumClient client) {
        return client.models().model(MODEL).map(ModelStatus::slotsBusy).orElse(-1);
    }

    static Optional<Long> inferenceCount(CerebrumClient client) {
        return Optional.ofNullable(client.models().inferenceCounts().get(MODEL));
    }
}
