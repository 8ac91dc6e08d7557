package dev.cerebrum.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cerebrum.gguf.testing.TestModels;
import dev.cerebrum.server.CerebrumServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Cerebrum server in this JVM on loopback, with the real engine, serving the ChatML known-answer model:
 * <ul>
 *   <li>{@code qwen_7b}: the chat model, 2 slots (the name the orchestrator and the README use);</li>
 *   <li>{@code longchat}: the chat model claiming a long trained context, one slot of 65536 tokens, for
 *       generations that keep a slot busy (with {@link #ENDLESS_GRAMMAR}); the queue size is 0, so a second
 *       request meanwhile is refused with 429;</li>
 *   <li>{@code gone}: a registered model whose file is missing (503).</li>
 * </ul>
 */
final class CompatServer implements AutoCloseable {
    static final String KEY = "openai-compat-key-7d3e91c4";
    static final String MODEL = "qwen_7b";
    /** The body limit: a bigger request is 413. */
    static final int MAX_BODY_BYTES = 65_536;
    /**
     * Only "a", "b", "a", "b" …: the model wants "c" after "b" and the grammar never lets it end, so a generation
     * runs until its token limit.
     */
    static final String ENDLESS_GRAMMAR = "root ::= \"ab\" root";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path dir;
    private final CerebrumServer server;

    private CompatServer(Path dir, CerebrumServer server) {
        this.dir = dir;
        this.server = server;
    }

    static CompatServer start() {
        try {
            Path dir = Files.createTempDirectory("cerebrum-openai-it");
            Path models = dir.resolve("models.yaml");
            Files.writeString(models, """
                    models:
                      qwen_7b:
                        path: %1$s
                        ctx_size: 1024
                        parallel: 2
                      longchat:
                        path: %2$s
                        ctx_size: 65536
                        parallel: 1
                      gone:
                        path: no-such-model.gguf
                    """.formatted(TestModels.chatMl().toAbsolutePath(),
                    TestModels.chatMlLongContext().toAbsolutePath()));
            Map<String, String> s = new HashMap<>();
            s.put("CEREBRUM_ENV_FILE", "");
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
            s.put("CEREBRUM_MAX_LOADED_MODELS", "3");
            s.put("CEREBRUM_QUEUE_SIZE", "0");
            s.put("CEREBRUM_MAX_BODY_BYTES", Integer.toString(MAX_BODY_BYTES));
            s.put("CEREBRUM_MAX_TOKENS_LIMIT", "65536");
            s.put("CEREBRUM_AUTH_FAILURES_PER_MINUTE", "0");
            return new CompatServer(dir, CerebrumServer.start(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's root, {@code http://127.0.0.1:PORT}. */
    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The base URL OpenAI clients take: the root with {@code /v1}. */
    String baseUrl() {
        return url() + "/v1";
    }

    /** The model's busy slots, as {@code GET /v1/models} reports them. */
    int slotsBusy(String model) {
        for (JsonNode m : models().get("models")) {
            if (m.get("name").asText().equals(model)) {
                return m.get("slots_busy").asInt();
            }
        }
        throw new AssertionError("no model " + model);
    }

    /** The body of {@code GET /v1/models}. */
    JsonNode models() {
        try {
            return JSON.readTree(get("/v1/models"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many requests to {@code endpoint} (a metrics label such as {@code chat_completions}) ended with
     * {@code outcome}, as {@code /metrics} counts them.
     */
    double requests(String endpoint, String outcome) {
        String series = "cerebrum_requests_total{endpoint=\"" + endpoint + "\",outcome=\"" + outcome + "\"} ";
        return get("/metrics").lines().filter(l -> l.startsWith(series))
                .mapToDouble(l -> Double.parseDouble(l.substring(series.length()))).sum();
    }

    /** Unloads a model at once, cancelling its generations (the admin endpoint with {@code force=true}). */
    void forceUnload(String model) {
        send(HttpRequest.newBuilder(URI.create(url() + "/v1/unload/" + model + "?force=true"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private String get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).GET());
    }

    private static String send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.header("X-API-Key", KEY).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError(r.statusCode() + " " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until the condition holds, failing after {@code timeout}; returns the milliseconds it took. */
    static long await(String what, Duration timeout, BooleanSupplier condition) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > timeout.toNanos()) {
                fail("timed out after " + timeout + " waiting until " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Override
    public void close() {
        server.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp folder left behind is harmless.
        }
    }
}
