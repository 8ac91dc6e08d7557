package dev.cerebrum.server;

import dev.cerebrum.guard.ModelStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behaviour while every slot is busy: the model {@code long} has one slot, and a 60000-token generation that
 * ignores end of sequence keeps it busy for many seconds. Every test cuts it short by closing its stream. The
 * queue holds one request for two seconds.
 */
class BusySlotsIT {
    private static final String[] KEY = {"X-API-Key", TestServer.KEY};

    @TempDir
    static Path dir;
    static TestServer server;
    static Http http;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("CEREBRUM_QUEUE_SIZE", "1", "CEREBRUM_QUEUE_TIMEOUT_SECONDS", "2"));
        http = server.http();
        Http.Response load = http.post("/v1/load/long", null, KEY);
        assertEquals(200, load.status(), load.body());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeStreamsAndWaitForAFreeSlot() throws Exception {
        signal("CONT");
        for (AutoCloseable c : open) {
            c.close();
        }
        Workers.await("the long model's slot is free", 10_000, () -> idle(status()));
    }

    private static ModelStatus status() {
        return server.server.manager().status("long");
    }

    private static boolean idle(ModelStatus s) {
        return s.slotsBusy() == 0 && s.inFlight() == 0 && s.queued() == 0;
    }

    /** Starts the long generation on a raw socket and returns once its first token arrived. */
    private Socket startLongOnASocket() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.server.port());
        open.add(socket);
        OutputStream out = socket.getOutputStream();
        out.write(TestServer.rawPost("/v1/inference/stream", TestServer.LONG_BODY).getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[4096];
        while (seen.indexOf("data: {\"token\"") < 0) {
            int n = in.read(buf);
            assertTrue(n > 0, "the stream ended early: " + seen);
            seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        assertTrue(seen.toString().startsWith("HTTP/1.1 200"), seen.toString());
        Workers.await("the long generation holds the slot", 5_000, () -> status().slotsBusy() == 1);
        return socket;
    }

    /** Sends a request on a socket of its own, without reading. */
    private Socket send(String path, String body) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.server.port());
        open.add(socket);
        OutputStream out = socket.getOutputStream();
        out.write(TestServer.rawPost(path, body).getBytes(StandardCharsets.UTF_8));
        out.flush();
        return socket;
    }

    /** The lines of the server's log. */
    private static java.util.stream.Stream<String> logLines() {
        try {
            return java.nio.file.Files.readAllLines(dir.resolve("logs/backend.log")).stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until the request metrics have counted an outcome of the endpoint. */
    private static void awaitOutcome(String endpoint, String outcome) {
        String series = "cerebrum_requests_total{endpoint=\"" + endpoint + "\",outcome=\"" + outcome + "\"}";
        Workers.await(series, 5_000, () -> http.get("/metrics", KEY).body().contains(series));
    }

    /** Starts the long generation as a stream and returns its event lines once it holds the slot. */
    private BufferedReader startLongStream() {
        BufferedReader lines = http.openLines("/v1/inference/stream", TestServer.LONG_BODY, KEY);
        open.add(lines);
        Workers.await("the long generation holds the slot", 5_000, () -> status().slotsBusy() == 1);
        return lines;
    }

    @Test
    void allSlotsBusy_healthStillAnswersWithin100ms() throws Exception {
        startLongOnASocket();

        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            Http.Response health = http.get("/health");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("health with every slot busy: %d ms%n", ms);
            assertEquals(200, health.status());
            assertTrue(ms < 100, "/health took " + ms + " ms while the slot was busy");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> stats = (Map<String, Object>) ((Map<String, Object>) http.get("/v1/stats", KEY).json()
                .get("queues")).get("long");
        assertEquals(1, stats.get("slots_busy"));
        assertEquals(1, stats.get("in_flight"));
    }

    @Test
    void streamClosedByTheClient_cancelsTheGeneration_andFreesTheSlot() throws Exception {
        Socket socket = startLongOnASocket();
        long inferencesBefore = status().inferenceCount();
        long tokensBefore = status().completionTokens();

        socket.close();

        long ms = Workers.await("the slot is free again", 5_000, () -> idle(status()));
        System.out.printf("slot freed %d ms after the client disconnected%n", ms);
        assertTrue(ms <= 1_500, "the slot took " + ms + " ms to free");
        long generated = status().completionTokens() - tokensBefore;
        assertTrue(generated > 0 && generated < 60000, "the generation was cut short after " + generated + " tokens");
        assertEquals(inferencesBefore + 1, status().inferenceCount());
    }

    @Test
    void nonStreamRequestClosedByTheClient_cancelsTheGeneration_freesTheSlot_andIsCountedAsClientClosed()
            throws Exception {
        long inferencesBefore = status().inferenceCount();
        long tokensBefore = status().completionTokens();
        Socket socket = send("/v1/inference", TestServer.LONG_BODY);
        Workers.await("the long generation holds the slot", 5_000, () -> status().slotsBusy() == 1);

        socket.close();

        long ms = Workers.await("the slot is free again", 5_000, () -> idle(status()));
        System.out.printf("non-stream: slot freed %d ms after the client disconnected%n", ms);
        assertTrue(ms <= 1_500, "the slot took " + ms + " ms to free");
        long generated = status().completionTokens() - tokensBefore;
        assertTrue(generated < 60000, "the generation ran to its end: " + generated + " tokens");
        assertEquals(inferencesBefore + 1, status().inferenceCount());
        awaitOutcome("inference", "client_closed");
        Workers.await("the access log line", 5_000, () -> logLines().anyMatch(line -> line.contains(
                "method=POST path=/v1/inference status=- model=long") && line.endsWith("outcome=client_closed")));
        assertEquals("bcd", http.post("/v1/inference", "{\"prompt\": \"a\", \"model\": \"long\", \"max_tokens\": 3,"
                + " \"temperature\": 0}", KEY).json().get("result"));
    }

    @Test
    void queuedOpenAiRequestClosedByTheClient_leavesTheQueueAtOnce() throws Exception {
        startLongOnASocket();
        Socket queued = send("/v1/completions", "{\"prompt\": \"abc\", \"model\": \"long\", \"max_tokens\": 3}");
        Workers.await("one request waits in the queue", 5_000, () -> status().queued() == 1);

        queued.close();

        // had the disconnect gone unnoticed, the request would have waited out its 2 s and ended as queue_timeout
        long ms = Workers.await("the queue is empty", 5_000, () -> status().queued() == 0);
        System.out.printf("non-stream: left the queue %d ms after the client disconnected%n", ms);
        awaitOutcome("completions", "client_closed");
        assertFalse(http.get("/metrics", KEY).body()
                .contains("cerebrum_requests_total{endpoint=\"completions\",outcome=\"queue_timeout\"}"));
    }

    @Test
    void nonStreamRequestWhoseClientStays_isAnswered_andTheConnectionServesTheNextRequest() {
        String body = "{\"prompt\": \"a\", \"model\": \"long\", \"max_tokens\": 2000, \"temperature\": 0,"
                + " \"ignore_eos\": true}";
        try (RawConnection c = RawConnection.open(server.server.port())) {
            c.send(TestServer.rawPost("/v1/inference", body));
            Workers.await("the generation holds the slot", 5_000, () -> status().slotsBusy() == 1);

            // sent while the first request generates: the watch reads these bytes ahead, and hands them on
            RawConnection.Answer a = c.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .readToEnd(Duration.ofSeconds(60));

            assertTrue(a.closed(), a.text());
            assertEquals(2, a.responses(), a.text());
            assertEquals(200, a.status(), a.text());
            assertTrue(a.body().contains("\"result\": \"bcdefghijklmnopqrstuvwxyz"), a.body());
            String second = a.text().substring(a.text().indexOf("HTTP/1.1 ", 1));
            assertTrue(second.startsWith("HTTP/1.1 200 "), second);
            assertTrue(second.contains("\"status\""), second);
        }
    }

    @Test
    void fullQueue_is429WithRetryAfter_andAQueuedRequestThatWaitsTooLong_is503() throws Exception {
        startLongOnASocket();
        CompletableFuture<Http.Response> queued = CompletableFuture.supplyAsync(() -> http.post("/v1/inference",
                "{\"prompt\": \"abc\", \"model\": \"long\", \"max_tokens\": 3}", KEY));
        Workers.await("one request waits in the queue", 5_000, () -> status().queued() == 1);

        for (String path : List.of("/v1/inference", "/v1/inference/stream")) {
            Http.Response full = http.post(path, "{\"prompt\": \"abc\", \"model\": \"long\", \"max_tokens\": 3}", KEY);
            assertEquals(429, full.status(), full.body());
            assertEquals("queue_full", full.json().get("error"));
            assertEquals("5", full.header("Retry-After"));
            assertEquals(5, full.json().get("retry_after_seconds"));
        }

        Http.Response timedOut = queued.get(10, TimeUnit.SECONDS);
        assertEquals(503, timedOut.status(), timedOut.body());
        Map<String, Object> e = timedOut.json();
        assertEquals("VPS overloaded", e.get("error"));
        assertEquals("queue_timeout", e.get("code"));
        assertEquals("timed out waiting for a free slot", e.get("reason"));
        assertEquals("Fallback to CM4 local inference", e.get("suggestion"));
        assertEquals("5", timedOut.header("Retry-After"));
        Map<String, Object> refusals = (Map<String, Object>) http.get("/v1/stats", KEY).json().get("refusals");
        assertTrue(((Number) refusals.get("queue_full")).intValue() >= 2, refusals.toString());
    }

    @Test
    void aQueuedStream_getsHeartbeats_thenAnErrorEventWhenItsWaitRunsOut() throws Exception {
        startLongOnASocket();

        HttpResponse<InputStream> r = http.open(http.request("/v1/inference/stream", KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"abc\", \"model\": \"long\"}")).build());

        assertEquals(200, r.statusCode());
        String text;
        try (InputStream in = r.body()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(text.startsWith(": keep-alive\n\n"), text);
        assertTrue(text.matches("(: keep-alive\n\n)+data: \\{\"error\": \"timed out waiting for a free slot\","
                + " \"done\": true, \"finish_reason\": \"error\", \"request_id\": \"[0-9a-f]{24}\"}\n\n"), text);
    }

    @Test
    void forcedUnload_endsARunningStreamWithACancelledEvent() throws Exception {
        BufferedReader lines = startLongStream();

        Http.Response unload = http.post("/v1/unload/long?force=true", null, KEY);

        assertEquals(200, unload.status(), unload.body());
        assertEquals(1, unload.json().get("cancelled_generations"));
        String last = Http.lastDataLine(lines);
        assertTrue(last.matches("data: \\{\"error\": \"the generation was cancelled: the model was unloaded\","
                + " \"done\": true,"
                + " \"finish_reason\": \"cancelled\", \"request_id\": \"[0-9a-f]{24}\"}"), last);
        assertEquals(200, http.post("/v1/load/long", null, KEY).status());
    }

    @Test
    void workerKilledMidGeneration_is500ForAPlainRequest_andAnErrorEventForAStream() throws Exception {
        // a stream that has started gets an error event
        BufferedReader lines = startLongStream();
        killWorkers();
        String last = Http.lastDataLine(lines);
        assertTrue(last.matches("data: \\{\"error\": \"the inference engine failed; quote request id [0-9a-f]{24}"
                + " when reporting it\", \"done\": true, \"finish_reason\": \"error\", \"request_id\": \"[0-9a-f]{24}\"}"),
                last);

        // a plain request gets a generic 500 with its request id
        assertEquals(200, http.post("/v1/load/long", null, KEY).status());
        CompletableFuture<Http.Response> plain = CompletableFuture.supplyAsync(
                () -> http.post("/v1/inference", TestServer.LONG_BODY, KEY));
        Workers.await("the plain request generates", 5_000, () -> status().slotsBusy() == 1);
        killWorkers();
        Http.Response failed = plain.get(30, TimeUnit.SECONDS);
        assertEquals(500, failed.status(), failed.body());
        Map<String, Object> e = failed.json();
        assertEquals("internal_error", e.get("error"));
        assertEquals("internal error; quote request id " + failed.header("X-Request-ID") + " when reporting it",
                e.get("message"));
        assertEquals(Map.of("error", "internal_error", "code", "internal_error", "message", e.get("message"),
                "request_id", failed.header("X-Request-ID")), e);

        // the next request loads the model again
        assertEquals("bcd", http.post("/v1/inference", "{\"prompt\": \"a\", \"model\": \"long\", \"max_tokens\": 3,"
                + " \"temperature\": 0}", KEY).json().get("result"));
    }

    private static void killWorkers() {
        // Frozen first, so that the generation cannot finish before the kill lands.
        signal("STOP");
        List<ProcessHandle> workers = Workers.all();
        assertFalse(workers.isEmpty(), "a worker runs");
        workers.forEach(ProcessHandle::destroyForcibly);
        workers.forEach(w -> w.onExit().join());
    }

    /** Sends a signal to every worker of this JVM: STOP freezes a generation in place, CONT resumes it. */
    private static void signal(String name) {
        for (ProcessHandle worker : Workers.all()) {
            try {
                Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(worker.pid())).start();
                assertEquals(0, kill.waitFor(), "kill -" + name);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
