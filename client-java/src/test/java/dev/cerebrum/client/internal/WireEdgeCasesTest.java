package dev.cerebrum.client.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cerebrum.client.CerebrumClient;
import dev.cerebrum.client.InferenceRequest;
import dev.cerebrum.client.InferenceStream;
import dev.cerebrum.client.RetryPolicy;
import dev.cerebrum.client.ServerErrorException;
import dev.cerebrum.client.StreamEvent;
import dev.cerebrum.client.UnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wire-level edge cases the real server cannot be made to produce on demand (silence, a cut
 * stream, a hung answer), served by a JDK HttpServer stub. Everything else is proven against the
 * real server in the *IT tests.
 */
class WireEdgeCasesTest {

    private static final String TOKEN = "data: {\"token\": \"d\", \"total_tokens\": 1}\n\n";
    private static final String DONE = "data: {\"done\": true, \"total_tokens\": 1, \"inference_time\": 0.01, "
            + "\"tokens_per_second\": 100.0, \"finish_reason\": \"length\"}\n\n";

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @FunctionalInterface
    interface Body {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    private CerebrumClient stub(String path, int status, String contentType, Body body, Duration readTimeout,
                                Duration idle) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(pool);
        server.createContext(path, (HttpExchange ex) -> {
            requests.incrementAndGet();
            try (ex) {
                ex.getRequestBody().readAllBytes();
                ex.getResponseHeaders().add("Content-Type", contentType);
                ex.sendResponseHeaders(status, 0);
                OutputStream out = ex.getResponseBody();
                body.write(out);
            } catch (IOException | InterruptedException disconnected) {
                // The client went away: expected in several tests.
            }
        });
        server.start();
        return CerebrumClient.builder()
                .endpoint("http://127.0.0.1:" + server.getAddress().getPort())
                .readTimeout(readTimeout)
                .streamIdleTimeout(idle)
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(10)))
                .build();
    }

    private static void send(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        pool.shutdownNow();
    }

    @Test
    void aStreamSilentPastTheIdleTimeout_failsTyped() throws IOException {
        try (CerebrumClient client = stub("/v1/inference/stream", 200, "text/event-stream", out -> {
            send(out, TOKEN);
            Thread.sleep(5_000);
        }, Duration.ofSeconds(5), Duration.ofMillis(300));
             InferenceStream s = client.stream(InferenceRequest.of("demo", "abc"))) {
            assertEquals(new StreamEvent.Token("d", 1), s.next());
            UnavailableException e = assertTimeoutPreemptively(Duration.ofSeconds(3),
                    () -> assertThrows(UnavailableException.class, s::hasNext));
            assertEquals(UnavailableException.Kind.STREAM_IDLE_TIMEOUT, e.kind());
            assertTrue(e.requestSent());
            assertEquals(1, requests.get(), "a stream that started is never sent again");
        }
    }

    @Test
    void heartbeats_keepAQuietStreamAlive() throws IOException {
        try (CerebrumClient client = stub("/v1/inference/stream", 200, "text/event-stream", out -> {
            for (int i = 0; i < 8; i++) {
                send(out, ": keep-alive\n\n");
                Thread.sleep(100);
            }
            send(out, TOKEN + DONE);
        }, Duration.ofSeconds(5), Duration.ofMillis(400));
             InferenceStream s = client.stream(InferenceRequest.of("demo", "abc"))) {
            assertEquals("d", s.text());
        }
    }

    @Test
    void aSlowConsumer_isNotMistakenForASilentServer() throws Exception {
        try (CerebrumClient client = stub("/v1/inference/stream", 200, "text/event-stream",
                out -> send(out, TOKEN + TOKEN + DONE), Duration.ofSeconds(5), Duration.ofMillis(200));
             InferenceStream s = client.stream(InferenceRequest.of("demo", "abc"))) {
            int events = 0;
            while (s.hasNext()) {
                s.next();
                events++;
                Thread.sleep(500);
            }
            assertEquals(3, events);
        }
    }

    @Test
    void aStreamCutBeforeItsFinalEvent_failsAsConnectionLost_andIsNotResent() throws IOException {
        try (CerebrumClient client = stub("/v1/inference/stream", 200, "text/event-stream",
                out -> send(out, TOKEN), Duration.ofSeconds(5), Duration.ofSeconds(5));
             InferenceStream s = client.stream(InferenceRequest.of("demo", "abc"))) {
            UnavailableException e = assertThrows(UnavailableException.class, s::text);
            assertEquals(UnavailableException.Kind.CONNECTION_LOST, e.kind());
            assertEquals(1, requests.get());
        }
    }

    @Test
    void anInferenceWhoseAnswerTimesOut_isSentExactlyOnce() throws IOException {
        try (CerebrumClient client = stub("/v1/inference", 200, "application/json",
                out -> Thread.sleep(3_000), Duration.ofMillis(300), Duration.ofSeconds(5))) {
            UnavailableException e = assertThrows(UnavailableException.class,
                    () -> client.infer(InferenceRequest.of("demo", "abc")));
            assertEquals(UnavailableException.Kind.RESPONSE_TIMEOUT, e.kind());
            assertTrue(e.requestSent());
            assertEquals(1, requests.get(), "the original client re-sent this while the server kept computing");
        }
    }

    @Test
    void aGetWhoseAnswerTimesOut_isRetried() throws IOException {
        try (CerebrumClient client = stub("/v1/models", 200, "application/json",
                out -> Thread.sleep(3_000), Duration.ofMillis(300), Duration.ofSeconds(5))) {
            UnavailableException e = assertThrows(UnavailableException.class, client::models);
            assertEquals(UnavailableException.Kind.RESPONSE_TIMEOUT, e.kind());
            assertEquals(3, requests.get());
            assertEquals(2, e.getSuppressed().length, "the earlier attempts' failures are kept");
        }
    }

    @Test
    void aMalformedEvent_failsAsAServerError() throws IOException {
        try (CerebrumClient client = stub("/v1/inference/stream", 200, "text/event-stream",
                out -> send(out, "data: {\"what\": 1}\n\n"), Duration.ofSeconds(5), Duration.ofSeconds(5));
             InferenceStream s = client.stream(InferenceRequest.of("demo", "abc"))) {
            ServerErrorException e = assertInstanceOf(ServerErrorException.class,
                    assertThrows(ServerErrorException.class, s::hasNext));
            assertEquals("malformed_event", e.code());
        }
    }
}
