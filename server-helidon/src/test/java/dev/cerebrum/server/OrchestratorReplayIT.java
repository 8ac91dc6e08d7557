package dev.cerebrum.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays the unchanged orchestrator's calls (shared/notes/original-backend.md): the same paths, headers and
 * bodies, the stream read line by line with every {@code data: } line parsed and unparseable lines skipped,
 * and every field it reads checked for presence and type.
 */
class OrchestratorReplayIT {
    /** What httpx sends besides the key. */
    private static final String[] HEADERS = {"X-API-Key", TestServer.KEY, "Content-Type", "application/json",
            "Accept", "*/*", "User-Agent", "python-httpx/0.27.0"};

    @TempDir
    static Path dir;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("CEREBRUM_MAX_TOKENS_LIMIT", "4096"));
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthProbe_withItsFiveSecondTimeout_readsEveryField() {
        Http.Response r = http.send(http.request("/health").timeout(Duration.ofSeconds(5)).GET().build());

        assertEquals(200, r.status());
        Map<String, Object> h = r.json();
        assertTrue(List.of("healthy", "overloaded").contains(h.get("status")));
        assertInstanceOf(Boolean.class, h.get("available"));
        assertInstanceOf(Number.class, h.get("cpu_usage_percent"));
        assertInstanceOf(Number.class, h.get("ram_available_gb"));
        assertInstanceOf(Number.class, h.get("ram_used_gb"));
        assertInstanceOf(List.class, h.get("models_in_cache"));
        assertInstanceOf(Number.class, h.get("uptime_seconds"));
    }

    @Test
    void modelsAndStats_haveTheFieldsItReads() {
        Map<String, Object> models = http.get("/v1/models", HEADERS).json();
        @SuppressWarnings("unchecked")
        List<String> available = (List<String>) models.get("available_models");
        assertTrue(available.containsAll(List.of("qwen_7b", "codellama_7b")), available.toString());
        assertInstanceOf(List.class, models.get("cached_models"));
        assertInstanceOf(Map.class, models.get("inference_counts"));

        Map<String, Object> stats = http.get("/v1/stats", HEADERS).json();
        @SuppressWarnings("unchecked")
        Map<String, Object> system = (Map<String, Object>) stats.get("system");
        for (String k : List.of("cpu_usage_percent", "ram_available_gb", "ram_used_gb", "uptime_seconds")) {
            assertInstanceOf(Number.class, system.get(k), k);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) stats.get("models");
        assertInstanceOf(List.class, m.get("cached"));
        assertInstanceOf(Number.class, m.get("count"));
        assertInstanceOf(Map.class, m.get("inference_counts"));
        assertInstanceOf(Map.class, m.get("last_used"));
    }

    @Test
    void inference_withTheOriginalsBody_answersWithTheOriginalsFields() {
        for (String model : List.of("qwen_7b", "codellama_7b")) {
            // the orchestrator's body with the original's defaults spelled out
            String body = "{\"prompt\": \"abc\", \"model\": \"" + model + "\", \"max_tokens\": 512,"
                    + " \"temperature\": 0.2, \"stop\": null}";

            Http.Response r = http.post("/v1/inference", body, HEADERS);

            assertEquals(200, r.status(), r.body());
            Map<String, Object> j = r.json();
            assertEquals("defghijklmnopqrstuvwxyz", j.get("result"));
            assertEquals(model, j.get("model"));
            assertEquals(23, j.get("tokens_generated"));
            assertInstanceOf(Double.class, j.get("inference_time_seconds"));
            // Python's datetime.fromisoformat reads it; Java's parsers stand in for it here
            assertNotNull(OffsetDateTime.parse((String) j.get("timestamp")));
        }
        // without the optional fields
        Map<String, Object> minimal = http.post("/v1/inference", "{\"prompt\": \"w\", \"model\": \"qwen_7b\"}",
                HEADERS).json();
        assertEquals("xyz", minimal.get("result"));
        assertEquals(3, minimal.get("tokens_generated"));
    }

    @Test
    void stream_readLineByLine_givesTokensThenOneDoneEvent() throws IOException {
        String body = "{\"prompt\": \"abc\", \"model\": \"codellama_7b\", \"max_tokens\": 6, \"temperature\": 0.2,"
                + " \"stop\": [\"\\n\\n\"]}";
        HttpResponse<InputStream> r = http.open(http.request("/v1/inference/stream", HEADERS)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(200, r.statusCode());

        List<Map<String, Object>> events = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.startsWith("data: ")) {
                    continue;
                }
                try {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> event = (Map<String, Object>) Json.read(
                            line.substring(6).getBytes(StandardCharsets.UTF_8));
                    events.add(event);
                } catch (IOException | ClassCastException e) {
                    // the orchestrator skips what it cannot parse
                }
            }
        }

        StringBuilder text = new StringBuilder();
        List<Map<String, Object>> tokens = events.subList(0, events.size() - 1);
        for (int i = 0; i < tokens.size(); i++) {
            Map<String, Object> t = tokens.get(i);
            assertInstanceOf(String.class, t.get("token"));
            assertEquals(i + 1, t.get("total_tokens"));
            text.append(t.get("token"));
        }
        assertEquals("defghi", text.toString());
        Map<String, Object> done = events.getLast();
        assertEquals(true, done.get("done"));
        assertEquals(6, done.get("total_tokens"));
        assertInstanceOf(Double.class, done.get("inference_time"));
        assertInstanceOf(Number.class, done.get("tokens_per_second"));
        assertEquals(null, done.get("error"));
    }
}
