package dev.cerebrum.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refusals of requests whose body is still coming, on the real server over loopback. The clients here read only
 * after they have sent their whole body, and go on sending after the answer has arrived: had the server closed the
 * connection on the unread rest, the kernel would have reset it, the client's next write would fail, and the answer
 * would be lost. The server reads and discards the rest instead, but never more than four times the body limit,
 * nor for longer than the header timeout after its answer. The verdicts wait for events only: the answer's first
 * bytes, then the next request's answer on the same connection (which a server that closed cannot send), or the
 * server's end of the connection.
 */
class RefusedBodiesIT {
    private static final int LIMIT = 65_536;
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int FIRST_PART = 32 * 1024;
    private static final String KEY_HEADER = "X-API-Key: " + TestServer.KEY + "\r\n";
    private static final String HEALTH = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

    @TempDir
    static Path dir;
    static TestServer server;
    static int port;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of(
                "CEREBRUM_MAX_BODY_BYTES", Integer.toString(LIMIT),
                "CEREBRUM_HEADER_TIMEOUT_SECONDS", "2"));
        port = server.server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aBodyOverTheLimit_gets413_whileTheClientStillSendsIt_andTheConnectionServesTheNextRequest() {
        byte[] body = filler(3 * LIMIT);
        for (String path : List.of("/v1/inference", "/v1/chat/completions", "/v1/completions")) {
            try (RawConnection c = RawConnection.open(port)) {
                RawConnection.Answer a = sendThenRead(c, head(path, KEY_HEADER + "Content-Length: " + body.length),
                        body);
                assertEquals(413, a.status(), path + ": " + a.text());
                assertTrue(a.body().contains("\"payload_too_large\""), a.body());
                assertTrue(a.body().contains("CEREBRUM_MAX_BODY_BYTES"), a.body());
                assertNotEquals("close", a.header("Connection"), path);
                assertEquals(200, c.send(HEALTH).readResponse(WAIT).status(), path);
            }
        }
    }

    @Test
    void aChunkedBodyOverTheLimit_gets413_whileTheClientStillSendsIt_andTheConnectionServesTheNextRequest() {
        byte[] chunked = chunked(filler(3 * LIMIT));
        try (RawConnection c = RawConnection.open(port)) {
            // without a declared length, the server refuses once it has read more than the limit
            RawConnection.Answer a = sendThenRead(c,
                    head("/v1/inference", KEY_HEADER + "Transfer-Encoding: chunked"), chunked, LIMIT + FIRST_PART);
            assertEquals(413, a.status(), a.text());
            assertTrue(a.body().contains("\"limit\": " + LIMIT), a.body());
            assertEquals(200, c.send(HEALTH).readResponse(WAIT).status());
        }
    }

    @Test
    void aRefusalBeforeTheBodyIsRead_reachesTheClient_evenWhenItAskedToCloseTheConnection() {
        byte[] body = filler(2 * LIMIT);
        for (String connection : List.of("", "Connection: close\r\n")) {
            try (RawConnection c = RawConnection.open(port, "127.0.0.9")) {
                RawConnection.Answer a = sendThenRead(c, head("/v1/inference", connection
                        + "Content-Length: " + body.length), body);
                assertEquals(401, a.status(), connection + a.text());
                if (connection.isEmpty()) {
                    assertEquals(200, c.send(HEALTH).readResponse(WAIT).status());
                } else {
                    assertEquals("close", a.header("Connection"));
                    assertTrue(c.readToEnd(WAIT).closed());
                }
            }
        }
    }

    @Test
    void anUnreadableBody_gets400_andTheConnectionEndsOnlyAfterWhatTheClientStillSends() {
        byte[] garbage = filler(48 * 1024);
        byte[] malformed = concat("zz\r\n".getBytes(StandardCharsets.US_ASCII), garbage);
        try (RawConnection c = RawConnection.open(port)) {
            RawConnection.Answer a = sendThenRead(c, head("/v1/inference", KEY_HEADER
                    + "Transfer-Encoding: chunked"), malformed);
            assertEquals(400, a.status(), a.text());
            assertTrue(a.body().contains("the request body could not be read"), a.body());
            assertEquals("close", a.header("Connection"));
            RawConnection.Answer end = c.readToEnd(WAIT);
            assertTrue(end.closed());
            assertTrue(end.millis() < 3_000, end.millis() + " ms");
        }
    }

    @Test
    void withExpectContinue_theRefusalComesBeforeTheBodyIsSent_andTheConnectionServesTheNextRequest() {
        try (RawConnection c = RawConnection.open(port)) {
            RawConnection.Answer a = c.send(head("/v1/inference", KEY_HEADER + "Expect: 100-continue\r\n"
                    + "Content-Length: " + 3 * LIMIT)).readResponse(WAIT);
            assertEquals(413, a.status(), a.text());
            assertEquals(200, c.send(HEALTH).readResponse(WAIT).status());
        }
    }

    // ------------------------------------------------------------------ bounds

    @Test
    void aBodyDeclaredOverFourTimesTheLimit_isRefusedBeforeItIsRead_andTheConnectionEnds() {
        try (RawConnection c = RawConnection.open(port)) {
            RawConnection.Answer a = c.send(head("/v1/inference", KEY_HEADER + "Content-Length: " + (4 * LIMIT + 1)))
                    .readToEnd(WAIT);
            assertEquals(413, a.status(), a.text());
            assertTrue(a.body().contains("\"limit\": " + LIMIT), a.body());
            assertEquals("close", a.header("Connection"));
            assertTrue(a.closed());
            assertTrue(a.millis() < 3_000, a.millis() + " ms");
        }
    }

    @Test
    void aClientThatSendsMoreThanTheBound_isCutOff_notReadToTheEnd() throws Exception {
        int declared = 256 * LIMIT;
        try (RawConnection c = RawConnection.open(port)) {
            c.send(head("/v1/inference", KEY_HEADER + "Content-Length: " + declared));
            CompletableFuture<Integer> sent = CompletableFuture.supplyAsync(() -> {
                byte[] piece = filler(8 * 1024);
                int total = 0;
                try {
                    while (total < declared) {
                        c.send(piece);
                        total += piece.length;
                    }
                } catch (UncheckedIOException e) {
                    // the server closed the connection
                }
                return total;
            });
            RawConnection.Answer a = c.readToEnd(WAIT);
            assertEquals(413, a.status(), a.text());
            assertTrue(a.closed());
            int total = sent.get(10, TimeUnit.SECONDS);
            assertTrue(total < declared, "the server read all " + total + " bytes");
        }
    }

    @Test
    void theRestOfARefusedBody_mustArriveWithinTheHeaderTimeout_thenTheConnectionClosesWithoutAnotherAnswer() {
        try (RawConnection c = RawConnection.open(port)) {
            // three times the limit announced; a part sent, then nothing
            RawConnection.Answer a = c.send(head("/v1/inference", KEY_HEADER + "Content-Length: " + 3 * LIMIT))
                    .send(filler(FIRST_PART)).readToEnd(WAIT);
            assertEquals(413, a.status(), a.text());
            assertEquals(1, a.responses(), a.text());
            assertTrue(a.closed());
            assertTrue(a.millis() >= 1_500 && a.millis() < 4_500, a.millis() + " ms");
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Sends the headers and part of the body, waits until the answer is there, sends the rest of the body, and only
     * then reads the answer.
     */
    private static RawConnection.Answer sendThenRead(RawConnection c, String head, byte[] body) {
        return sendThenRead(c, head, body, FIRST_PART);
    }

    /** As {@link #sendThenRead(RawConnection, String, byte[])}, with {@code firstPart} bytes sent first. */
    private static RawConnection.Answer sendThenRead(RawConnection c, String head, byte[] body, int firstPart) {
        c.send(head).send(Arrays.copyOf(body, firstPart)).awaitAnswer(WAIT);
        c.send(Arrays.copyOfRange(body, firstPart, body.length));
        return c.readResponse(WAIT);
    }

    private static String head(String path, String headers) {
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + headers
                + (headers.endsWith("\r\n") ? "" : "\r\n") + "\r\n";
    }

    private static byte[] filler(int bytes) {
        byte[] b = new byte[bytes];
        Arrays.fill(b, (byte) 'a');
        return b;
    }

    private static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += 8192) {
            int n = Math.min(8192, body.length - at);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
