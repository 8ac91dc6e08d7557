package dev.cerebrum.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections on the real server over loopback: limits, timeouts, closing, and the answers to bytes that are
 * not a well-formed HTTP/1.1 request. Peers are told apart by their loopback source address (127.0.0.x).
 */
class ConnectionsIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String KEY_HEADER = "X-API-Key: " + TestServer.KEY + "\r\n";
    private static final String INFERENCE_BODY = "{\"model\": \"demo\", \"prompt\": \"abc\", \"max_tokens\": 3,"
            + " \"temperature\": 0}";

    @TempDir
    static Path dir;
    static TestServer server;
    static int port;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of(
                "CEREBRUM_HEADER_TIMEOUT_SECONDS", "1",
                "CEREBRUM_IDLE_TIMEOUT_SECONDS", "1.5",
                "CEREBRUM_MAX_CONNECTIONS", "12",
                "CEREBRUM_MAX_CONNECTIONS_PER_PEER", "4"));
        port = server.server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // ------------------------------------------------------------------ closing

    @Test
    void connectionClose_isHonoured_soAClientReadingToTheEndDoesNotHang() {
        for (String request : List.of(
                "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                post("/v1/inference", INFERENCE_BODY, "Connection: close\r\n"),
                post("/v1/inference/stream", INFERENCE_BODY, "Connection: close\r\n"))) {
            try (RawConnection c = RawConnection.open(port)) {
                RawConnection.Answer a = c.send(request).readToEnd(WAIT);
                assertEquals(200, a.status(), a.text());
                assertTrue(a.closed(), "the server closed the connection after " + request.lines().findFirst());
                assertTrue(a.millis() < 3_000, a.millis() + " ms");
            }
        }
    }

    @Test
    void withoutConnectionClose_theConnectionServesAnotherRequest() {
        try (RawConnection c = RawConnection.open(port)) {
            String health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
            RawConnection.Answer a = c.send(health + health).readToEnd(Duration.ofMillis(700));
            assertEquals(2, a.responses(), a.text());
            assertFalse(a.closed());
        }
    }

    // ------------------------------------------------------------------ bytes that are not HTTP/1.1

    @Test
    void aTlsClientHello_gets400_andAClose() {
        byte[] hello = HexFormat.of().parseHex("16030100a5010000a10303" + "ab".repeat(32) + "000004130113020100");
        try (RawConnection c = RawConnection.open(port)) {
            RawConnection.Answer a = c.send(hello).readToEnd(WAIT);
            assertEquals(400, a.status(), a.text());
            assertTrue(a.body().contains("\"code\": \"bad_request\""), a.body());
            assertTrue(a.closed());
        }
    }

    @Test
    void malformedChunkSizes_get400_andAClose() {
        for (String chunk : List.of("zz", "-1", "ffffffffffffffffffff", "1;\u0000")) {
            String request = "POST /v1/inference HTTP/1.1\r\nHost: x\r\n" + KEY_HEADER
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk
                    + "\r\nabc\r\n0\r\n\r\n";
            try (RawConnection c = RawConnection.open(port)) {
                RawConnection.Answer a = c.send(request).readToEnd(WAIT);
                assertEquals(400, a.status(), chunk + ": " + a.text());
                assertTrue(a.closed(), chunk);
                assertTrue(a.millis() < 3_000, chunk + ": " + a.millis() + " ms");
            }
        }
    }

    @Test
    void http10_gets505_withAnExplanation_andAClose() {
        try (RawConnection c = RawConnection.open(port)) {
            RawConnection.Answer a = c.send("GET /health HTTP/1.0\r\n\r\n").readToEnd(WAIT);
            assertEquals(505, a.status(), a.text());
            assertEquals("application/json", a.header("Content-Type"));
            assertTrue(a.body().contains("HTTP/1.0 is not supported: send the request as HTTP/1.1"), a.body());
            assertTrue(a.closed());
        }
        // HTTP/1.0 on a kept-alive connection reaches Helidon's parser: the same status, the same error shape
        try (RawConnection c = RawConnection.open(port)) {
            RawConnection.Answer a = c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.0\r\n\r\n")
                    .readToEnd(WAIT);
            assertEquals(2, a.responses(), a.text());
            assertTrue(a.text().contains("HTTP/1.1 505 "), a.text());
            assertTrue(a.text().contains("\"code\": \"http_version_not_supported\""), a.text());
            assertTrue(a.closed());
        }
    }

    // ------------------------------------------------------------------ timeouts

    @Test
    void headersThatDoNotArriveInTime_get408_andAClose_whileASilentConnectionIsClosedWithoutAWord() {
        try (RawConnection slow = RawConnection.open(port); RawConnection silent = RawConnection.open(port)) {
            slow.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: a");
            RawConnection.Answer a = slow.readToEnd(WAIT);
            RawConnection.Answer quiet = silent.readToEnd(WAIT);

            assertEquals(408, a.status(), a.text());
            assertTrue(a.closed());
            assertTrue(a.millis() >= 900 && a.millis() < 3_000, a.millis() + " ms");
            assertEquals("", quiet.text());
            assertTrue(quiet.closed());
        }
    }

    @Test
    void aBodyThatStopsArriving_gets408_andAClose() {
        try (RawConnection c = RawConnection.open(port)) {
            String request = post("/v1/inference", INFERENCE_BODY, "");
            // the headers promise the whole body; only half of it comes
            RawConnection.Answer a = c.send(request.substring(0, request.length() - INFERENCE_BODY.length() / 2))
                    .readToEnd(WAIT);
            assertEquals(408, a.status(), a.text());
            assertTrue(a.body().contains("the request body stopped arriving for 1 s"), a.body());
            assertTrue(a.closed());
        }
    }

    @Test
    void aKeptAliveConnection_isClosedAfterTheIdleTimeout_butALongStreamIsNot() {
        try (RawConnection c = RawConnection.open(port)) {
            RawConnection.Answer a = c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").readToEnd(WAIT);
            assertEquals(200, a.status());
            assertTrue(a.closed(), "closed once idle");
            assertTrue(a.millis() >= 1_300 && a.millis() < 4_000, a.millis() + " ms");
        }
        // a stream of about 3 s, twice the idle timeout: it runs to its end
        String body = "{\"model\": \"long\", \"prompt\": \"a\", \"max_tokens\": 9000, \"temperature\": 0,"
                + " \"ignore_eos\": true}";
        try (RawConnection c = RawConnection.open(port)) {
            RawConnection.Answer a = c.send(post("/v1/inference/stream", body, "Connection: close\r\n"))
                    .readToEnd(Duration.ofSeconds(60));
            assertEquals(200, a.status());
            assertTrue(a.text().contains("\"done\": true, \"total_tokens\": 9000"), a.text().substring(
                    Math.max(0, a.text().length() - 300)));
        }
    }

    // ------------------------------------------------------------------ limits

    @Test
    void oneAddress_mayHoldItsShareOfConnections_thenGets503WithRetryAfter_whileOthersAreServed() {
        List<RawConnection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(RawConnection.open(port, "127.0.0.2"));
            }
            awaitOpen(4);
            try (RawConnection fifth = RawConnection.open(port, "127.0.0.2")) {
                RawConnection.Answer a = fifth.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").readToEnd(WAIT);
                assertEquals(503, a.status(), a.text());
                assertEquals("5", a.header("Retry-After"));
                assertTrue(a.body().contains("\"code\": \"too_many_connections\""), a.body());
                assertTrue(a.body().contains("too many connections from this address (at most 4)"), a.body());
                assertTrue(a.closed());
            }
            assertEquals(200, health("127.0.0.1"));
        } finally {
            held.forEach(RawConnection::close);
        }
    }

    @Test
    void theServerHoldsAtMostItsTotal_thenAnswers503() {
        List<RawConnection> held = new ArrayList<>();
        try {
            for (String from : List.of("127.0.0.3", "127.0.0.4", "127.0.0.5")) {
                for (int i = 0; i < 4; i++) {
                    held.add(RawConnection.open(port, from));
                }
            }
            awaitOpen(12);
            try (RawConnection more = RawConnection.open(port, "127.0.0.6")) {
                RawConnection.Answer a = more.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").readToEnd(WAIT);
                assertEquals(503, a.status(), a.text());
                assertTrue(a.body().contains("\"reason\": \"too many connections\""), a.body());
            }
        } finally {
            held.forEach(RawConnection::close);
        }
        // the held connections are gone: there is room again
        Workers.await("room again", 5_000, () -> health("127.0.0.6") == 200);
    }

    @Test
    void outsideTheAllowlist_peersShareAQuarter_soTheAllowedClientAlwaysGetsIn(@TempDir Path other) {
        try (TestServer guarded = TestServer.start(other, Map.of("ALLOWED_CM4_IP", "127.0.0.1",
                "CEREBRUM_MAX_CONNECTIONS", "12", "CEREBRUM_MAX_CONNECTIONS_PER_PEER", "12"))) {
            int p = guarded.server.port();
            List<RawConnection> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(RawConnection.open(p, "127.0.0." + (10 + i)));
                }
                Workers.await("3 outsiders admitted", 5_000,
                        () -> guarded.server.connections().admittedConnections() == 3);
                try (RawConnection fourth = RawConnection.open(p, "127.0.0.20")) {
                    RawConnection.Answer a = fourth.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").readToEnd(WAIT);
                    assertEquals(503, a.status(), a.text());
                }
                try (RawConnection allowed = RawConnection.open(p, "127.0.0.1")) {
                    assertEquals(200, allowed.send(get("/v1/models", KEY_HEADER)).readToEnd(WAIT).status());
                }
            } finally {
                held.forEach(RawConnection::close);
            }
        }
    }

    // ------------------------------------------------------------------ logs and shutdown

    @Test
    void connectionsAbortedMidRequest_areCounted_andNeverLoggedAsStackTraces() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (RawConnection c = RawConnection.open(port)) {
                c.send(i % 2 == 0 ? "GET /health HTTP/1.1\r\nHost: x\r\nX-Partial: abc" : "GET /hea");
                Thread.sleep(20);
            }
            // a malformed second request on a kept-alive connection: Helidon itself reports this one
            try (RawConnection c = RawConnection.open(port)) {
                c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGE\u0001T / HTTP/1.1\r\nHost: x\r\n\r\n")
                        .readToEnd(WAIT);
            }
        }
        Path log = dir.resolve("logs/backend.log");
        Pattern aborted = Pattern.compile("ConnectionGuard: connections in the last 10 s: [^\\n]*\\d+ closed by the"
                + " client mid-request");
        Pattern reported = Pattern.compile("ConnectionGuard: connections in the last 10 s: [^\\n]*\\d+ connection"
                + " errors[^\\n]*; last error: RequestException: Internal error <- IllegalArgumentException");
        Workers.await("the summary lines", 25_000,
                () -> aborted.matcher(read(log)).find() && reported.matcher(read(log)).find());

        String text = read(log);
        assertFalse(text.contains("\tat "), "no stack trace in the log");
        assertFalse(Pattern.compile("(WARN|ERROR) +io\\.helidon").matcher(text).find(), "no Helidon warning in the log");
        String metrics = get(port, "/metrics", KEY_HEADER).body();
        assertTrue(metrics.contains("cerebrum_connections_closed_total{reason=\"aborted\"} 20.0"), metrics);
    }

    @Test
    void aHalfSentHeader_doesNotDelayShutdown(@TempDir Path other) {
        TestServer stopping = TestServer.start(other, Map.of("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "20"));
        try (RawConnection c = RawConnection.open(stopping.server.port())) {
            c.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Partial: abc");
            Workers.await("the connection is open", 5_000,
                    () -> stopping.server.connections().admittedConnections() == 1);
            long t0 = System.nanoTime();
            stopping.close();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3_000, "stopped in " + ms + " ms with a grace period of 20 s");
            assertTrue(c.readToEnd(WAIT).closed());
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void awaitOpen(int connections) {
        Workers.await(connections + " connections admitted", 5_000,
                () -> server.server.connections().admittedConnections() >= connections);
    }

    private static int health(String from) {
        try (RawConnection c = RawConnection.open(port, from)) {
            return c.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").readToEnd(WAIT).status();
        }
    }

    private static RawConnection.Answer get(int port, String path, String headers) {
        try (RawConnection c = RawConnection.open(port)) {
            return c.send(get(path, headers)).readToEnd(WAIT);
        }
    }

    private static String get(String path, String headers) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + "\r\n";
    }

    private static String post(String path, String body, String headers) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\n" + KEY_HEADER + headers
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
