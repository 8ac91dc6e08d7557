package dev.cerebrum.server;

import dev.cerebrum.guard.ModelStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults on the real server with real worker processes: a model file deleted and restored, a worker killed
 * with SIGKILL while requests wait for its slot, and forced unloads of requests that have or have not sent
 * anything yet. The model {@code long} has one slot; a 60000-token generation that ignores end of sequence
 * keeps it busy for many seconds. Only {@code long} is ever loaded here, so its worker is the only one.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WorkerFaultsIT {
    private static final String SHORT_BODY = "{\"prompt\": \"a\", \"model\": \"long\", \"max_tokens\": 3,"
            + " \"temperature\": 0}";
    private static final String UNLOADED = "the generation was cancelled: the model was unloaded";
    private static final String[] KEY = {"X-API-Key", TestServer.KEY};

    @TempDir
    static Path dir;
    static TestServer server;
    static Http http;
    static Path modelFile;
    static byte[] modelBytes;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start(dir, Map.of("CEREBRUM_QUEUE_TIMEOUT_SECONDS", "60"));
        http = server.http();
        modelFile = dir.resolve("models/long-context.gguf");
        modelBytes = Files.readAllBytes(modelFile);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeStreamsAndRestoreTheFile() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (!Files.exists(modelFile)) {
            Files.write(modelFile, modelBytes);
        }
        Workers.await("the long model is idle", 30_000, () -> idle(status()));
    }

    private static ModelStatus status() {
        return server.server.manager().status("long");
    }

    private static boolean idle(ModelStatus s) {
        return s.inFlight() == 0 && s.queued() == 0;
    }

    @Test
    void deletedModelFile_is503_andTheIdenticalFileRestored_isServedWithoutARestart() throws IOException {
        // given the model's file deleted while the model is not loaded
        if (status().loaded()) {
            assertEquals(200, http.post("/v1/unload/long", null, KEY).status());
        }
        Files.delete(modelFile);

        // when a request comes, it is refused with a 503 the orchestrator can fall back on
        Http.Response refused = http.post("/v1/inference", SHORT_BODY, KEY);
        assertEquals(503, refused.status(), refused.body());
        assertEquals("model_unavailable", refused.json().get("code"));
        assertEquals("5", refused.header("Retry-After"));
        assertTrue(((String) refused.json().get("reason")).contains("'long-context.gguf' not found"), refused.body());
        Map<String, Object> listed = model(http.get("/v1/models", KEY).json(), "long");
        assertEquals(false, listed.get("available"));
        assertTrue(((String) listed.get("reason")).contains("not found"), listed.toString());

        // when the identical file is put back, the next request is served
        Files.write(modelFile, modelBytes);
        Http.Response served = http.post("/v1/inference", SHORT_BODY, KEY);
        assertEquals(200, served.status(), served.body());
        assertEquals("bcd", served.json().get("result"));
        Map<String, Object> back = model(http.get("/v1/models", KEY).json(), "long");
        assertEquals(true, back.get("available"));
        assertEquals("ready", back.get("state"));
    }

    @Test
    void sigkill_withRequestsQueued_movesThemToAFreshWorker_whileHealthAndModelsShowTheReload() throws Exception {
        // given a running stream holding the only slot and two requests waiting for it
        BufferedReader stream = startLongStream();
        CompletableFuture<Http.Response> first = CompletableFuture.supplyAsync(() -> http.post("/v1/inference",
                SHORT_BODY, KEY));
        CompletableFuture<Http.Response> second = CompletableFuture.supplyAsync(() -> http.post("/v1/inference",
                SHORT_BODY, KEY));
        Workers.await("two requests wait", 10_000, () -> status().queued() == 2);
        Workers.await("one worker runs", 10_000, () -> Workers.all().size() == 1);
        List<ProcessHandle> workers = Workers.all();
        assertEquals(1, workers.size(), workers.toString());
        Set<String> healthStates = ConcurrentHashMap.newKeySet();
        Set<String> reasons = ConcurrentHashMap.newKeySet();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = watch(watching, healthStates, reasons);

        // when its worker is killed
        workers.getFirst().destroyForcibly();

        // then the running stream ends with an error event
        String last = Http.lastDataLine(stream);
        assertTrue(last.matches("data: \\{\"error\": \"the inference engine failed; quote request id [0-9a-f]{24}"
                + " when reporting it\", \"done\": true, \"finish_reason\": \"error\", \"request_id\": \"[0-9a-f]{24}\"}"),
                last);
        // and the waiting requests are served by a fresh worker, not refused and not left to time out
        Http.Response a = first.get(60, TimeUnit.SECONDS);
        Http.Response b = second.get(60, TimeUnit.SECONDS);
        watching.set(false);
        watcher.join(5_000);
        assertEquals(200, a.status(), a.body());
        assertEquals(200, b.status(), b.body());
        assertEquals("bcd", a.json().get("result"));
        assertEquals("bcd", b.json().get("result"));
        List<ProcessHandle> now = Workers.all();
        assertEquals(1, now.size(), now.toString());
        assertNotEquals(workers.getFirst().pid(), now.getFirst().pid());
        // and meanwhile /health and /v1/models showed the model loading again, and why
        System.out.println("states seen while the worker was replaced: " + healthStates + " " + reasons);
        assertTrue(healthStates.contains("loading"), healthStates.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.contains("exited unexpectedly") && r.endsWith("loading it again")),
                reasons.toString());
        assertEquals("ready", model(http.get("/v1/models", KEY).json(), "long").get("state"));
    }

    @Test
    void sigkill_whenLoadingAgainFails_theQueuedRequestsGet503WithRetryAfter_atOnce() throws Exception {
        // given a running stream, a request waiting, and the model's file gone (the worker still has it open)
        BufferedReader stream = startLongStream();
        CompletableFuture<Http.Response> waiting = CompletableFuture.supplyAsync(() -> http.post("/v1/inference",
                SHORT_BODY, KEY));
        Workers.await("a request waits", 10_000, () -> status().queued() == 1);
        Workers.await("one worker runs", 10_000, () -> Workers.all().size() == 1);
        Files.delete(modelFile);

        // when the worker is killed
        long killed = System.nanoTime();
        Workers.all().forEach(ProcessHandle::destroyForcibly);

        // then the waiting request gets 503 with Retry-After, well before its 60 s queue timeout
        Http.Response refused = waiting.get(30, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - killed) / 1_000_000;
        assertEquals(503, refused.status(), refused.body());
        assertEquals("model_unavailable", refused.json().get("code"));
        assertEquals("5", refused.header("Retry-After"));
        String reason = (String) refused.json().get("reason");
        assertTrue(reason.contains("loading it again failed") && reason.contains("not found"), reason);
        assertTrue(ms < 20_000, "the waiting request was answered after " + ms + " ms");
        assertTrue(Http.lastDataLine(stream).contains("\"finish_reason\": \"error\""));

        // and once the file is back, the next request is served
        Files.write(modelFile, modelBytes);
        Http.Response served = http.post("/v1/inference", SHORT_BODY, KEY);
        assertEquals(200, served.status(), served.body());
        assertEquals("bcd", served.json().get("result"));
    }

    @Test
    void forcedUnload_givesWaitingRequestsThatSentNothing503_andARunningStreamAnEventNamingTheUnload()
            throws Exception {
        // given a running stream, then a plain request and a stream waiting for the slot (nothing sent to either)
        BufferedReader running = startLongStream();
        CompletableFuture<Http.Response> plain = CompletableFuture.supplyAsync(() -> http.post("/v1/inference",
                SHORT_BODY, KEY));
        Workers.await("the plain request waits", 10_000, () -> status().queued() == 1);
        CompletableFuture<HttpResponse<InputStream>> queuedStream = CompletableFuture.supplyAsync(() -> http.open(
                http.request("/v1/inference/stream", KEY).POST(HttpRequest.BodyPublishers.ofString(SHORT_BODY))
                        .build()));
        // (within the stream's first second, before its first heartbeat)
        Workers.await("the stream waits", 800, () -> status().queued() == 2);

        // when the model is unloaded with force
        Http.Response unload = http.post("/v1/unload/long?force=true", null, KEY);
        assertEquals(200, unload.status(), unload.body());
        assertEquals(3, unload.json().get("cancelled_generations"));

        // then the waiting ones get 503 model_unavailable naming the unload
        Http.Response p = plain.get(30, TimeUnit.SECONDS);
        assertUnloaded503(p.status(), p.body(), p.header("Retry-After"));
        HttpResponse<InputStream> s = queuedStream.get(30, TimeUnit.SECONDS);
        String body;
        try (InputStream in = s.body()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertUnloaded503(s.statusCode(), body, s.headers().firstValue("Retry-After").orElse(null));
        // and the running stream ends with an event that names the unload
        String last = Http.lastDataLine(running);
        assertTrue(last.matches("data: \\{\"error\": \"" + UNLOADED + "\", \"done\": true, \"finish_reason\":"
                + " \"cancelled\", \"request_id\": \"[0-9a-f]{24}\"}"), last);
    }

    @Test
    void forcedUnload_ofARunningPlainRequest_is503NamingTheUnload() throws Exception {
        assertEquals(200, http.post("/v1/load/long", null, KEY).status());
        CompletableFuture<Http.Response> plain = CompletableFuture.supplyAsync(() -> http.post("/v1/inference",
                TestServer.LONG_BODY, KEY));
        Workers.await("the plain request generates", 10_000, () -> status().slotsBusy() == 1);

        Http.Response unload = http.post("/v1/unload/long?force=true", null, KEY);

        assertEquals(200, unload.status(), unload.body());
        Http.Response p = plain.get(30, TimeUnit.SECONDS);
        assertUnloaded503(p.status(), p.body(), p.header("Retry-After"));
    }

    private static void assertUnloaded503(int status, String body, String retryAfter) throws IOException {
        assertEquals(503, status, body);
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) Json.read(body.getBytes(StandardCharsets.UTF_8));
        assertEquals("model_unavailable", e.get("code"), body);
        assertEquals(UNLOADED, e.get("reason"), body);
        assertEquals("5", retryAfter);
    }

    /** Starts the long generation as a stream and returns its event lines once it holds the slot. */
    private BufferedReader startLongStream() {
        BufferedReader lines = http.openLines("/v1/inference/stream", TestServer.LONG_BODY, KEY);
        open.add(lines);
        Workers.await("the long generation holds the slot", 30_000, () -> status().slotsBusy() == 1);
        return lines;
    }

    /** Polls /health and /v1/models until told to stop, collecting the states and reasons of {@code long}. */
    private static Thread watch(AtomicBoolean watching, Set<String> healthStates, Set<String> reasons) {
        Thread t = new Thread(() -> {
            while (watching.get()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> states = (Map<String, Object>) http.get("/health").json().get("model_states");
                healthStates.add((String) states.get("long"));
                Object reason = model(http.get("/v1/models", KEY).json(), "long").get("reason");
                if (reason != null) {
                    reasons.add((String) reason);
                }
            }
        }, "health-watcher");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> model(Map<String, Object> models, String name) {
        return ((List<Map<String, Object>>) models.get("models")).stream()
                .filter(m -> name.equals(m.get("name"))).findFirst().orElseThrow();
    }
}
