package dev.cerebrum.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every endpoint of docs/wire.md and the statuses one server with default limits can show. */
class ServerApiIT {
    private static final String NUM = "(-?[0-9]+(?:\\.[0-9]+)?(?:E-?[0-9]+)?)";
    private static final String[] KEY = {"X-API-Key", TestServer.KEY};

    @TempDir
    static Path dir;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of(
                "CEREBRUM_MAX_TOKENS_LIMIT", "4096",
                "CEREBRUM_MAX_BODY_BYTES", "4096",
                "CEREBRUM_MAX_PROMPT_CHARS", "1000",
                "CEREBRUM_METRICS_TOKEN", "scrape-token-123",
                // The auth test fails many times on purpose; the limit has its own test.
                "CEREBRUM_AUTH_FAILURES_PER_MINUTE", "0",
                "ALLOWED_CM4_IP", "127.0.0.1,::1"));
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
        assertFalse(Http.ERROR_BODIES.isEmpty(), "the error bodies were checked for leaks");
    }

    private static String body(String prompt, String model, int maxTokens) {
        return "{\"prompt\": \"" + prompt + "\", \"model\": \"" + model + "\", \"max_tokens\": " + maxTokens
                + ", \"temperature\": 0}";
    }

    private static void assertError(Http.Response r, int status, String code) {
        assertEquals(status, r.status(), r.body());
        Map<String, Object> e = r.json();
        assertEquals(code, e.get("code"), r.body());
        assertEquals(status == 503 ? "VPS overloaded" : code, e.get("error"), r.body());
        assertInstanceOf(String.class, e.get("message"));
        assertEquals(r.header("X-Request-ID"), e.get("request_id"));
        assertTrue(r.header("Content-Type").startsWith("application/json"));
    }

    // ------------------------------------------------------------------ health

    @Test
    void health_isPublic_andCarriesTheOriginalsFields() {
        Http.Response r = http.get("/health");

        assertEquals(200, r.status());
        Map<String, Object> h = r.json();
        assertEquals("healthy", h.get("status"));
        assertEquals(true, h.get("available"));
        assertInstanceOf(Number.class, h.get("cpu_usage_percent"));
        assertTrue(((Number) h.get("ram_available_gb")).doubleValue() > 0, r.body());
        assertTrue(((Number) h.get("ram_used_gb")).doubleValue() > 0, r.body());
        assertInstanceOf(List.class, h.get("models_in_cache"));
        assertTrue(((Number) h.get("uptime_seconds")).doubleValue() >= 0);
        assertNotNull(r.header("X-Request-ID"));
    }

    @Test
    void liveAndReady_areUp_withoutDetails() {
        assertEquals(Map.of("status", "UP"), http.get("/health/live").json());
        Http.Response ready = http.get("/health/ready");
        assertEquals(200, ready.status());
        assertEquals(Map.of("status", "UP"), ready.json());
    }

    // ------------------------------------------------------------------ inference

    @Test
    void inference_knownAnswer_hasTheOriginalsFieldsAndExactCounts() {
        Http.Response r = http.post("/v1/inference", body("abc", "demo", 5), KEY);

        assertEquals(200, r.status(), r.body());
        Map<String, Object> j = r.json();
        assertEquals("defgh", j.get("result"));
        assertEquals("demo", j.get("model"));
        assertEquals(5, j.get("tokens_generated"));
        assertEquals(5, j.get("completion_tokens"));
        assertEquals("length", j.get("finish_reason"));
        assertEquals(false, j.get("deadline_exceeded"));
        assertTrue(((Number) j.get("prompt_tokens")).intValue() >= 3, r.body());
        assertTrue(((Number) j.get("inference_time_seconds")).doubleValue() > 0, r.body());
        assertTrue(Instant.parse((String) j.get("timestamp")).isAfter(Instant.now().minusSeconds(60)));
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) j.get("timings");
        for (String k : List.of("queue_ms", "time_to_first_token_ms", "prompt_ms", "decode_ms",
                "prompt_tokens_per_second", "decode_tokens_per_second", "total_ms", "cached_tokens")) {
            assertInstanceOf(Number.class, t.get(k), k);
        }
        assertTrue(((Number) t.get("time_to_first_token_ms")).doubleValue() > 0, r.body());
        assertEquals(r.header("X-Request-ID"), j.get("request_id"));
    }

    @Test
    void inference_endOfSequenceAndStopStrings_finishWithStop() {
        Map<String, Object> eos = http.post("/v1/inference", body("w", "demo", 50), KEY).json();
        assertEquals("xyz", eos.get("result"));
        assertEquals(3, eos.get("tokens_generated"));
        assertEquals("stop", eos.get("finish_reason"));

        Map<String, Object> stop = http.post("/v1/inference",
                "{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": 20, \"temperature\": 0, \"stop\": [\"g\"]}",
                KEY).json();
        assertEquals("def", stop.get("result"));
        assertEquals("stop", stop.get("finish_reason"));
    }

    @Test
    void stream_knownAnswer_exactBytes() throws IOException {
        // given the model is loaded, so that nothing but generation happens before the first byte
        assertEquals(200, http.post("/v1/load/demo", null, KEY).status());

        // when
        HttpResponse<InputStream> r = http.open(http.request("/v1/inference/stream", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body("abc", "demo", 3))).build());

        // then
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        String text;
        try (InputStream in = r.body()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // A heartbeat is only sent after a second of silence; it may precede the first token on a busy machine.
        while (text.startsWith(": keep-alive\n\n")) {
            text = text.substring(": keep-alive\n\n".length());
        }
        String tokens = "data: {\"token\": \"d\", \"total_tokens\": 1}\n\n"
                + "data: {\"token\": \"e\", \"total_tokens\": 2}\n\n"
                + "data: {\"token\": \"f\", \"total_tokens\": 3}\n\n";
        assertTrue(text.startsWith(tokens), text);
        Matcher done = Pattern.compile(Pattern.quote("data: {\"done\": true, \"total_tokens\": 3, \"inference_time\": ")
                + NUM + Pattern.quote(", \"tokens_per_second\": ") + NUM
                + Pattern.quote(", \"finish_reason\": \"length\", \"deadline_exceeded\": false, \"prompt_tokens\": ")
                + "([0-9]+)"
                + Pattern.quote(", \"completion_tokens\": 3, \"timings\": {\"queue_ms\": ") + NUM
                + Pattern.quote(", \"time_to_first_token_ms\": ") + NUM
                + Pattern.quote(", \"prompt_ms\": ") + NUM
                + Pattern.quote(", \"decode_ms\": ") + NUM
                + Pattern.quote(", \"prompt_tokens_per_second\": ") + NUM
                + Pattern.quote(", \"decode_tokens_per_second\": ") + NUM
                + Pattern.quote(", \"total_ms\": ") + NUM + Pattern.quote(", \"cached_tokens\": ") + "([0-9]+)"
                + Pattern.quote("}}\n\n"))
                .matcher(text.substring(tokens.length()));
        assertTrue(done.matches(), text);
        assertTrue(Double.parseDouble(done.group(1)) > 0, "inference_time");
        assertTrue(Double.parseDouble(done.group(2)) > 0, "tokens_per_second");
        assertTrue(Integer.parseInt(done.group(3)) >= 3, "prompt_tokens");
        assertTrue(Double.parseDouble(done.group(4)) >= 0, "queue_ms");
        for (int g = 5; g <= 10; g++) {
            assertTrue(Double.parseDouble(done.group(g)) > 0, "timing " + g + " in " + text);
        }
    }

    @Test
    void stream_headersAndFirstEvent_arriveInOneWrite() {
        assertEquals(200, http.post("/v1/load/demo", null, KEY).status());
        for (int i = 0; i < 5; i++) {
            try (RawConnection c = RawConnection.open(server.server.port())) {
                // The read waits through the prompt, so it returns as soon as the server's first write lands. When
                // the headers went out alone, that is all it gets.
                String first = c.send(TestServer.rawPost("/v1/inference/stream", body("abc", "demo", 2)))
                        .readOnce(Duration.ofSeconds(30));
                assertTrue(first.startsWith("HTTP/1.1 200 OK\r\n"), first);
                String afterHeaders = first.substring(first.indexOf("\r\n\r\n") + 4);
                // The first chunk: its size line, then one event (a heartbeat may come before the first token).
                assertTrue(afterHeaders.matches("(?s)[0-9a-f]+\r\n(data: \\{\"token\": \"d\"|: keep-alive).*\n\n\r\n.*"),
                        first);
            }
        }
    }

    @Test
    void stream_endOfSequence_endsWithStop_andNoEmptyTokenEvent() throws IOException {
        HttpResponse<InputStream> r = http.open(http.request("/v1/inference/stream", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body("w", "demo", 50))).build());
        String text;
        try (InputStream in = r.body()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> data = text.lines().filter(l -> l.startsWith("data: ")).toList();
        assertEquals(4, data.size(), text);
        assertEquals("data: {\"token\": \"x\", \"total_tokens\": 1}", data.get(0));
        assertEquals("data: {\"token\": \"y\", \"total_tokens\": 2}", data.get(1));
        assertEquals("data: {\"token\": \"z\", \"total_tokens\": 3}", data.get(2));
        assertTrue(data.get(3).startsWith("data: {\"done\": true, \"total_tokens\": 3, "), data.get(3));
        assertTrue(data.get(3).contains("\"finish_reason\": \"stop\""), data.get(3));
        assertFalse(text.contains("\"token\": \"\""), text);
    }

    // ------------------------------------------------------------------ models, stats, admin

    @Test
    void models_listsTheRegistry_withDetails_andTheBrokenEntryAsUnavailable() {
        http.post("/v1/inference", body("abc", "demo", 2), KEY);

        Map<String, Object> m = http.get("/v1/models", KEY).json();

        @SuppressWarnings("unchecked")
        List<String> available = (List<String>) m.get("available_models");
        assertEquals(List.of("demo", "long", "qwen_7b", "codellama_7b"), available);
        assertTrue(((List<?>) m.get("cached_models")).contains("demo"), m.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> counts = (Map<String, Object>) m.get("inference_counts");
        assertTrue(((Number) counts.get("demo")).longValue() >= 1, m.toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> details = (List<Map<String, Object>>) m.get("models");
        Map<String, Object> demo = details.stream().filter(d -> d.get("name").equals("demo")).findFirst().orElseThrow();
        assertEquals("ready", demo.get("state"));
        assertEquals(true, demo.get("available"));
        assertNull(demo.get("reason"));
        assertEquals(512, demo.get("context_size"));
        assertEquals(2, demo.get("parallel"));
        assertEquals(1, demo.get("threads"));
        assertEquals(0, demo.get("slots_busy"));
        assertTrue(((Number) demo.get("memory_estimate_bytes")).longValue() > 0, demo.toString());
        assertTrue(((Number) demo.get("rss_bytes")).longValue() > 0, demo.toString());
        assertNotNull(Instant.parse((String) demo.get("last_used")));
        assertNotNull(Instant.parse((String) demo.get("loaded_at")));
        assertTrue(((Number) demo.get("load_ms")).doubleValue() > 0);
        for (String k : List.of("in_flight", "queued", "pinned", "idle_unload_minutes", "inference_count")) {
            assertTrue(demo.containsKey(k), k);
        }
        Map<String, Object> broken = details.stream().filter(d -> d.get("name").equals("broken")).findFirst()
                .orElseThrow();
        assertEquals(false, broken.get("available"));
        String reason = (String) broken.get("reason");
        assertNotNull(reason);
        assertFalse(reason.contains("/"), reason);
    }

    @Test
    void stats_hasTheOriginalsSections_andTheCounters() {
        http.post("/v1/inference", body("abc", "demo", 2), KEY);

        Map<String, Object> s = http.get("/v1/stats", "Authorization", "Bearer " + TestServer.KEY).json();

        @SuppressWarnings("unchecked")
        Map<String, Object> system = (Map<String, Object>) s.get("system");
        for (String k : List.of("cpu_usage_percent", "ram_available_gb", "ram_used_gb", "uptime_seconds")) {
            assertInstanceOf(Number.class, system.get(k), k);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> models = (Map<String, Object>) s.get("models");
        assertTrue(((List<?>) models.get("cached")).contains("demo"));
        assertEquals(((List<?>) models.get("cached")).size(), models.get("count"));
        assertInstanceOf(Map.class, models.get("inference_counts"));
        @SuppressWarnings("unchecked")
        Map<String, Object> lastUsed = (Map<String, Object>) models.get("last_used");
        assertNotNull(Instant.parse((String) lastUsed.get("demo")));
        @SuppressWarnings("unchecked")
        Map<String, Object> demoQueue = (Map<String, Object>) ((Map<String, Object>) s.get("queues")).get("demo");
        assertEquals(2, demoQueue.get("slots_total"));
        assertEquals(0, demoQueue.get("queued"));
        assertEquals(Map.of("cpu", 0, "memory", 0, "queue_full", 0, "max_models", 0), s.get("refusals"));
        @SuppressWarnings("unchecked")
        Map<String, Object> tokens = (Map<String, Object>) s.get("tokens");
        assertTrue(((Number) tokens.get("prompt")).longValue() > 0);
        assertTrue(((Number) tokens.get("completion")).longValue() >= 2);
    }

    @Test
    void sixConcurrentRequestsOnTwoSlots_waitInTheGuardsQueue_andEachGetsItsSoloAnswer() throws Exception {
        Map<String, String> expected = Map.of("abc", "defg", "ghi", "jklm", "mno", "pqrs", "stu", "vwxy", "jk", "lmno",
                "pq", "rstu");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            Map<String, java.util.concurrent.Future<Http.Response>> calls = new java.util.LinkedHashMap<>();
            for (String prompt : expected.keySet()) {
                calls.put(prompt, pool.submit(() -> http.post("/v1/inference", "{\"prompt\": \"" + prompt
                        + "\", \"model\": \"demo\", \"max_tokens\": 4, \"temperature\": 0}", KEY)));
            }
            for (Map.Entry<String, java.util.concurrent.Future<Http.Response>> call : calls.entrySet()) {
                Http.Response r = call.getValue().get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(200, r.status(), r.body());
                assertEquals(expected.get(call.getKey()), r.json().get("result"), call.getKey());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void repeatedPrompt_reportsItsCachedTokens_inTimingsUsageAndStats_withTheSameResult() {
        String body = "{\"prompt\": \"abcdefghijklmnop\", \"model\": \"demo\", \"max_tokens\": 4, \"temperature\": 0}";
        Http.Response first = http.post("/v1/inference", body, KEY);
        Http.Response second = http.post("/v1/inference", body, KEY);
        Http.Response openAi = http.post("/v1/completions", "{\"model\": \"demo\", \"prompt\": \"abcdefghijklmnop\","
                + " \"max_tokens\": 4, \"temperature\": 0}", KEY);

        assertEquals(200, second.status(), second.body());
        assertEquals("qrst", first.json().get("result"));
        assertEquals(first.json().get("result"), second.json().get("result"));
        int prompt = ((Number) second.json().get("prompt_tokens")).intValue();
        Map<String, Object> timings = (Map<String, Object>) second.json().get("timings");
        assertEquals(prompt - 1, ((Number) timings.get("cached_tokens")).intValue(), second.body());
        Map<String, Object> usage = (Map<String, Object>) openAi.json().get("usage");
        assertTrue(((Number) ((Map<String, Object>) usage.get("prompt_tokens_details")).get("cached_tokens")).intValue()
                > 0, openAi.body());
        Map<String, Object> tokens = (Map<String, Object>) http.get("/v1/stats", KEY).json().get("tokens");
        assertTrue(((Number) tokens.get("cached_prompt")).longValue() >= prompt - 1, tokens.toString());
    }

    @Test
    void loadUnload_reportWhatTheyDid_andUnloadingTwiceIs404() {
        Http.Response first = http.post("/v1/load/qwen_7b", null, KEY);
        assertEquals(200, first.status(), first.body());
        Map<String, Object> l = first.json();
        assertEquals("loaded", l.get("status"));
        assertEquals("qwen_7b", l.get("model"));
        assertEquals(false, l.get("already_loaded"));
        assertTrue(((Number) l.get("load_time_seconds")).doubleValue() > 0);
        assertTrue(((Number) l.get("memory_estimate_bytes")).longValue() > 0);
        assertTrue(((Number) l.get("rss_bytes")).longValue() > 0);
        assertEquals(true, http.post("/v1/load/qwen_7b", null, KEY).json().get("already_loaded"));

        Http.Response unload = http.post("/v1/unload/qwen_7b", null, KEY);
        assertEquals(Map.of("status", "unloaded", "model", "qwen_7b", "cancelled_generations", 0), unload.json());

        assertError(http.post("/v1/unload/qwen_7b", null, KEY), 404, "model_not_loaded");
        assertError(http.post("/v1/unload/nope", null, KEY), 404, "model_not_found");
        assertError(http.post("/v1/load/nope", null, KEY), 404, "model_not_found");
        assertError(http.post("/v1/load/broken", null, KEY), 503, "model_unavailable");
        assertError(http.post("/v1/unload/demo?force=maybe", null, KEY), 400, "invalid_request");
    }

    @Test
    void cleanup_unloadsIdleModels_orOnlyThoseIdleLongEnough() {
        assertEquals(200, http.post("/v1/load/codellama_7b", null, KEY).status());

        Map<String, Object> none = http.post("/v1/cleanup?idle_minutes=60", null, KEY).json();
        assertEquals("cleaned", none.get("status"));
        assertEquals(List.of(), none.get("models_removed"));
        assertTrue(((List<?>) none.get("models_remaining")).contains("codellama_7b"), none.toString());

        Map<String, Object> all = http.post("/v1/cleanup", null, KEY).json();
        assertTrue(((List<?>) all.get("models_removed")).contains("codellama_7b"), all.toString());
        assertFalse(((List<?>) all.get("models_remaining")).contains("codellama_7b"), all.toString());

        Http.Response bad = http.post("/v1/cleanup?idle_minutes=soon", null, KEY);
        assertError(bad, 400, "invalid_request");
        assertEquals("idle_minutes", bad.json().get("field"));
    }

    // ------------------------------------------------------------------ errors

    @Test
    void badBodies_are400_namingTheField() {
        String[][] cases = {
                {"{not json", "body"},
                {"[]", "body"},
                {"{\"model\": \"demo\"}", "prompt"},
                {"{\"prompt\": \"abc\"}", "model"},
                {"{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": \"many\"}", "max_tokens"},
                {"{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": 0}", "max_tokens"},
                {"{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": 4097}", "max_tokens"},
                {"{\"prompt\": \"abc\", \"model\": \"demo\", \"temperature\": 3}", "temperature"},
                {"{\"prompt\": \"abc\", \"model\": \"demo\", \"stop\": 5}", "stop"},
                {"{\"prompt\": \"abc\", \"model\": \"demo\", \"top_p\": 0}", "top_p"},
        };
        for (String path : List.of("/v1/inference", "/v1/inference/stream")) {
            for (String[] c : cases) {
                Http.Response r = http.post(path, c[0], KEY);
                assertError(r, 400, "invalid_request");
                assertEquals(c[1], r.json().get("field"), path + " " + c[0]);
            }
        }
        Http.Response range = http.post("/v1/inference", "{\"prompt\": \"a\", \"model\": \"demo\", \"max_tokens\": 5000}",
                KEY);
        assertEquals(4096, range.json().get("limit"));
    }

    @Test
    void aPromptLongerThanTheContext_is400WithBothCounts_beforeAnyStreamStarts() {
        // the demo model's slots hold 256 tokens each; every letter is one token
        String prompt = "abcdefghijklmnopqrstuvwxy".repeat(16);
        for (String path : List.of("/v1/inference", "/v1/inference/stream")) {
            Http.Response r = http.post(path, body(prompt, "demo", 5), KEY);
            assertError(r, 400, "invalid_request");
            assertEquals("prompt", r.json().get("field"));
            String message = (String) r.json().get("message");
            assertTrue(message.contains("256") && message.matches(".*\\b4[0-9]{2}\\b.*"), message);
        }
    }

    @Test
    void tooLargeBodiesAndPrompts_are413_namingTheLimit() {
        String big = "{\"prompt\": \"" + "a".repeat(5000) + "\", \"model\": \"demo\"}";
        Http.Response body = http.post("/v1/inference", big, KEY);
        assertError(body, 413, "payload_too_large");
        assertEquals(4096, body.json().get("limit"));
        assertTrue(((String) body.json().get("message")).contains("CEREBRUM_MAX_BODY_BYTES"));

        Http.Response prompt = http.post("/v1/inference/stream", body("a".repeat(1001), "demo", 5), KEY);
        assertError(prompt, 413, "payload_too_large");
        assertEquals("prompt", prompt.json().get("field"));
        assertEquals(1000, prompt.json().get("limit"));
        assertTrue(((String) prompt.json().get("message")).contains("CEREBRUM_MAX_PROMPT_CHARS"));

        // the server still answers on a new connection afterwards
        assertEquals(200, http.get("/health").status());
    }

    @Test
    void aMalformedChunkedBody_is400OnTheBody() throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.server.port())) {
            socket.getOutputStream().write(("POST /v1/inference HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: "
                    + TestServer.KEY + "\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 400 "), response);
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            Http.assertSafe(body);
            assertTrue(body.contains("\"field\": \"body\""), body);
        }
    }

    @Test
    void unknownModelsPathsAndMethods_are404And405() {
        assertError(http.post("/v1/inference", body("abc", "nope", 5), KEY), 404, "model_not_found");
        assertError(http.post("/v1/inference/stream", body("abc", "../../etc/passwd", 5), KEY), 404,
                "model_not_found");
        assertError(http.get("/v1/nothing", KEY), 404, "not_found");
        assertError(http.get("/v1/inference", KEY), 405, "method_not_allowed");
        assertError(http.post("/v1/models", "{}", KEY), 405, "method_not_allowed");
    }

    // ------------------------------------------------------------------ auth, ids, metrics, logs

    @Test
    void auth_acceptsEveryConfiguredKeyInEitherHeader_andRefusesTheRest() {
        assertEquals(200, http.get("/v1/models", "X-API-Key", TestServer.KEY).status());
        assertEquals(200, http.get("/v1/models", "X-API-Key", TestServer.OTHER_KEY).status());
        assertEquals(200, http.get("/v1/models", "Authorization", "Bearer " + TestServer.OTHER_KEY).status());
        assertEquals(200, http.get("/v1/models", "Authorization", "bearer " + TestServer.KEY).status());

        for (String[] bad : new String[][]{{}, {"X-API-Key", "wrong"}, {"Authorization", "Bearer wrong"},
                {"Authorization", "Basic " + TestServer.KEY}, {"X-API-Key", TestServer.KEY + "x"}}) {
            for (String path : List.of("/v1/models", "/v1/stats", "/v1/inference", "/v1/unload/demo", "/v1/nothing",
                    "/metrics")) {
                Http.Response r = path.startsWith("/v1/models") || path.startsWith("/v1/stats")
                        || path.equals("/metrics") || path.equals("/v1/nothing")
                        ? http.get(path, bad) : http.post(path, body("abc", "demo", 1), bad);
                assertError(r, 401, "unauthorized");
                assertEquals("Bearer", r.header("WWW-Authenticate"));
            }
        }
    }

    @Test
    void auth_withBothHeaders_needsAValidKeyInEach_soDisagreeingHeadersAreRefused() {
        // both valid, even two different configured keys (a rotation in progress): accepted
        assertEquals(200, http.get("/v1/models", "X-API-Key", TestServer.KEY,
                "Authorization", "Bearer " + TestServer.KEY).status());
        assertEquals(200, http.get("/v1/models", "X-API-Key", TestServer.KEY,
                "Authorization", "Bearer " + TestServer.OTHER_KEY).status());

        // one valid, the other wrong or not a bearer key, in either order: refused
        for (String[] mixed : new String[][]{
                {"X-API-Key", TestServer.KEY, "Authorization", "Bearer wrong"},
                {"X-API-Key", "wrong", "Authorization", "Bearer " + TestServer.KEY},
                {"X-API-Key", TestServer.KEY, "Authorization", "Basic " + TestServer.KEY},
                {"X-API-Key", "", "Authorization", "Bearer " + TestServer.KEY}}) {
            Http.Response r = http.get("/v1/models", mixed);
            assertError(r, 401, "unauthorized");
            assertTrue(r.body().contains("every X-API-Key and Authorization header sent must hold a valid key"),
                    r.body());
        }
    }

    @Test
    void metrics_needsTheKeyOrItsToken_andExposesPrometheusText() {
        http.post("/v1/inference", body("abc", "demo", 2), KEY);
        // a request is counted once its response has been sent
        Workers.await("the inference is counted", 5_000, () -> http.get("/metrics", KEY).body()
                .contains("cerebrum_requests_total{endpoint=\"inference\",outcome=\"ok\"}"));

        Http.Response withToken = http.get("/metrics", "Authorization", "Bearer scrape-token-123");
        assertEquals(200, withToken.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", withToken.header("Content-Type"));
        String text = withToken.body();
        for (String series : List.of("cerebrum_requests_total{endpoint=\"inference\",outcome=\"ok\"}",
                "cerebrum_tokens_total{kind=\"completion\",model=\"demo\"}",
                "cerebrum_time_to_first_token_seconds_bucket{model=\"demo\"",
                "cerebrum_queue_wait_seconds_bucket{model=\"demo\"",
                "cerebrum_decode_tokens_per_second_count{model=\"demo\"}",
                "cerebrum_load_duration_seconds_count{model=\"demo\"}",
                "cerebrum_loads_total{model=\"demo\"}", "cerebrum_evictions_total{model=\"demo\"}",
                "cerebrum_refusals_total{reason=\"cpu\"}", "cerebrum_models_loaded ", "cerebrum_inflight{model=\"demo\"}",
                "cerebrum_queued{model=\"demo\"}", "cerebrum_host_cpu_percent ", "cerebrum_host_ram_available_bytes ",
                "jvm_memory_used_bytes")) {
            assertTrue(text.contains(series), "metrics lack " + series);
        }
        assertEquals(200, http.get("/metrics", KEY).status());
        // the metrics token opens nothing else
        assertError(http.get("/v1/models", "Authorization", "Bearer scrape-token-123"), 401, "unauthorized");
    }

    @Test
    void requestIds_areEchoedWhenWellFormed_andGeneratedOtherwise() {
        assertEquals("orchestrator-42:a.b", http.get("/health", "X-Request-ID", "orchestrator-42:a.b")
                .header("X-Request-ID"));
        String generated = http.get("/health", "X-Request-ID", "bad id with spaces").header("X-Request-ID");
        assertTrue(generated.matches("[0-9a-f]{24}"), generated);
        assertTrue(http.get("/health", "X-Request-ID", "x".repeat(129)).header("X-Request-ID").matches("[0-9a-f]{24}"));
        assertNotEquals(http.get("/health").header("X-Request-ID"), http.get("/health").header("X-Request-ID"));
        Http.Response unauthorized = http.get("/v1/models", "X-Request-ID", "mine-1");
        assertEquals("mine-1", unauthorized.header("X-Request-ID"));
        assertEquals("mine-1", unauthorized.json().get("request_id"));
    }

    private static String readLog() {
        try {
            return Files.readString(dir.resolve("logs/backend.log"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void accessLog_hasOneLinePerRequestWithItsId_andNeverAKey() throws IOException {
        Http.Response r = http.post("/v1/inference", body("abc", "demo", 4), "X-API-Key", TestServer.KEY,
                "X-Request-ID", "log-check-1");
        assertEquals(200, r.status());
        http.get("/v1/models", "X-API-Key", "wrong-key-for-the-log", "X-Request-ID", "log-check-2");

        // the line is written once the response has been sent
        Workers.await("both access lines are in the log", 5_000, () -> {
            String text = readLog();
            return text.contains("rid=log-check-1 ") && text.contains("rid=log-check-2 ");
        });
        String log = readLog();
        List<String> lines = log.lines().filter(l -> l.contains("rid=log-check-1")).toList();
        assertEquals(1, lines.size(), log);
        String line = lines.getFirst();
        for (String part : List.of("access:", "peer=127.0.0.1", "method=POST", "path=/v1/inference", "status=200",
                "model=demo", "tokens=4", "ms=", "outcome=ok")) {
            assertTrue(line.contains(part), part + " in " + line);
        }
        assertTrue(log.lines().anyMatch(l -> l.contains("rid=log-check-2") && l.contains("status=401")), log);
        assertFalse(log.contains(TestServer.KEY), "the log contains a key");
        assertFalse(log.contains(TestServer.OTHER_KEY), "the log contains a key");
        assertFalse(log.contains("wrong-key-for-the-log"), "the log contains a presented key");
    }
}
