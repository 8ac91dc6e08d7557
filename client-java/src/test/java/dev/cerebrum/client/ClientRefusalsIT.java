package dev.cerebrum.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.cerebrum.client.TestServer.MODEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Refusals and failures that need a specially configured server, each provoked for real. */
class ClientRefusalsIT {

    @Test
    void aPeerOutsideTheAllowlist_isForbidden() {
        try (TestServer server = TestServer.start(Map.of("ALLOWED_CM4_IP", "10.9.9.9"));
             CerebrumClient client = server.client().build()) {
            ForbiddenException e = assertThrows(ForbiddenException.class, client::models);
            assertEquals(403, e.status());
            assertThrows(ForbiddenException.class, () -> client.infer(InferenceRequest.of(MODEL, "abc")));
        }
    }

    @Test
    void aFullQueue_isBusy_andTheBusySlotKeepsRunning() throws Exception {
        try (TestServer server = TestServer.start(Map.of("CEREBRUM_QUEUE_SIZE", "0"));
             CerebrumClient client = server.client().retryPolicy(RetryPolicy.none()).build();
             InferenceStream busy = client.stream(server.endless())) {
            assertInstanceOf(StreamEvent.Token.class, busy.next(), "the only slot is generating");
            OverloadedException e = assertThrows(OverloadedException.class,
                    () -> client.infer(InferenceRequest.of(MODEL, "abc")));
            assertEquals(429, e.status());
            assertEquals(OverloadedException.Kind.QUEUE_FULL, e.kind());
            assertTrue(e.isBusy());
            assertTrue(e.retryAfter().isPresent(), "429 carries Retry-After");
            assertTrue(e.isRetriable());
            assertEquals(1L, client.stats().refusals().get("queue_full"));
        }
    }

    @Test
    void anOverloadedServer_is503_andTheRetryWaitsItsRetryAfter() {
        // An available-RAM floor no host meets: the memory rule refuses to load the model (503).
        try (TestServer server = TestServer.start(Map.of("CEREBRUM_MIN_FREE_RAM_MB", Integer.toString(Integer.MAX_VALUE),
                "CEREBRUM_RETRY_AFTER_SECONDS", "2"));
             CerebrumClient once = server.client().retryPolicy(RetryPolicy.none()).build();
             CerebrumClient retrying = server.client().retryPolicy(
                     new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(30))).build()) {
            OverloadedException first = assertThrows(OverloadedException.class,
                    () -> once.infer(InferenceRequest.of(MODEL, "abc")));
            assertEquals(503, first.status());
            assertNotNull(first.reason());
            Duration retryAfter = first.retryAfter().orElseThrow();
            assertEquals(Duration.ofSeconds(2), retryAfter);
            long refusalsBefore = once.stats().refusals().get("memory");

            long start = System.nanoTime();
            OverloadedException second = assertThrows(OverloadedException.class,
                    () -> retrying.infer(InferenceRequest.of(MODEL, "abc")));
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("two attempts against Retry-After %s took %d ms%n", retryAfter, waited.toMillis());
            assertTrue(waited.compareTo(retryAfter) >= 0, "the retry waited Retry-After: " + waited);
            assertEquals(1, second.getSuppressed().length, "the first refusal is kept as suppressed");
            assertEquals(refusalsBefore + 2, once.stats().refusals().get("memory"), "two attempts reached the server");
        }
    }

    @Test
    void aRetryThatCannotFitTheDeadline_isNotMade() {
        try (TestServer server = TestServer.start(Map.of("CEREBRUM_MIN_FREE_RAM_MB", Integer.toString(Integer.MAX_VALUE),
                "CEREBRUM_RETRY_AFTER_SECONDS", "5"));
             CerebrumClient client = server.client().retryPolicy(
                     new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(2))).build()) {
            long start = System.nanoTime();
            assertThrows(OverloadedException.class, () -> client.infer(InferenceRequest.of(MODEL, "abc")));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0,
                    "a 5 s Retry-After does not fit a 2 s deadline: no waiting");
            assertEquals(1L, client.stats().refusals().get("memory"));
        }
    }

    @Test
    void aClosedPort_isUnavailable_andRetriable() {
        int port = TestServer.closedPort();
        try (CerebrumClient client = CerebrumClient.builder().endpoint("http://127.0.0.1:" + port)
                .retryPolicy(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5)))
                .build()) {
            UnavailableException e = assertThrows(UnavailableException.class,
                    () -> client.infer(InferenceRequest.of(MODEL, "abc")));
            assertEquals(UnavailableException.Kind.CONNECT_FAILED, e.kind());
            assertFalse(e.requestSent());
            assertTrue(e.isRetriable());
            assertEquals(0, e.status());
            assertEquals(1, e.getSuppressed().length, "a connection refused before sending is retried");
        }
    }

    @Test
    void anEngineThatDies_midStream_givesAnErrorEvent_andMidInference_a500() throws Exception {
        try (TestServer server = TestServer.start(Map.of());
             CerebrumClient client = server.client().retryPolicy(RetryPolicy.none()).build()) {
            // Mid-stream: the error arrives as an event, then iterating past it throws.
            client.load(MODEL);
            List<ProcessHandle> workers = server.workers();
            try (InferenceStream s = client.stream(server.endless())) {
                assertInstanceOf(StreamEvent.Token.class, s.next());
                kill(workers);
                StreamEvent last = null;
                try {
                    while (s.hasNext()) {
                        last = s.next();
                    }
                    fail("an error event must not end the iteration quietly");
                } catch (StreamErrorException e) {
                    StreamEvent.Error error = assertInstanceOf(StreamEvent.Error.class, last);
                    assertNotNull(error.message());
                    assertNotNull(e.requestId());
                    assertFalse(e.isRetriable());
                    assertFalse(e.getMessage().contains("/"), "no path in the message: " + e.getMessage());
                    assertTrue(e.partialText().length() >= 1);
                }
                assertThrows(StreamErrorException.class, s::hasNext, "the failure is sticky");
            }
            // text() (like collect()) throws on an error event, never returns what came before as a success.
            client.load(MODEL);
            List<ProcessHandle> second = server.workers();
            try (InferenceStream s = client.stream(server.endless())) {
                assertInstanceOf(StreamEvent.Token.class, s.next());
                kill(second);
                assertThrows(StreamErrorException.class, s::text);
            }
            // Mid-inference: a generation that fails after it started answers 500 with the request id.
            client.load(MODEL);
            List<ProcessHandle> reloaded = server.workers();
            CompletableFuture<InferenceResponse> running = client.inferAsync(server.endless());
            assertTrue(TestServer.await(Duration.ofSeconds(20), () -> TestServer.slotsBusy(client) == 1),
                    "the generation started");
            kill(reloaded);
            Throwable cause = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> running.get(30, TimeUnit.SECONDS)).getCause();
            ServerErrorException e = assertInstanceOf(ServerErrorException.class, cause);
            assertEquals(500, e.status());
            assertEquals("internal_error", e.code());
            assertNotNull(e.requestId());
        }
    }

    private static void kill(List<ProcessHandle> workers) {
        assertFalse(workers.isEmpty(), "the model's worker process runs");
        for (ProcessHandle p : workers) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : workers) {
            p.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }
}
