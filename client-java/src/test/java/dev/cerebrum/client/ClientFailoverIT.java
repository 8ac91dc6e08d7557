package dev.cerebrum.client;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.cerebrum.client.TestServer.MODEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several endpoints, failover and the per-endpoint circuit breaker, with real servers. */
class ClientFailoverIT {

    private static InferenceRequest abc() {
        return InferenceRequest.builder(MODEL, "abc").greedy().maxTokens(3).build();
    }

    private static EndpointStatus status(CerebrumClient client, URI uri) {
        return client.endpoints().stream().filter(e -> e.uri().equals(uri)).findFirst().orElseThrow();
    }

    @Test
    void aStoppedServer_failsOverToTheOther_andEachInferenceRunsOnce() {
        try (TestServer a = TestServer.start(Map.of()); TestServer b = TestServer.start(Map.of());
             CerebrumClient client = CerebrumClient.builder().endpoints(List.of(a.uri(), b.uri()))
                     .apiKey(TestServer.KEY).retryPolicy(new RetryPolicy(2, Duration.ofMillis(10),
                             Duration.ofMillis(10), Duration.ofSeconds(10))).build();
             CerebrumClient onB = b.client().build()) {
            a.stop();
            for (int i = 0; i < 4; i++) {
                assertEquals("def", client.infer(abc()).result());
            }
            assertEquals(4L, TestServer.inferenceCount(onB).orElse(0L), "every inference ran on b, once");
        }
    }

    @Test
    void anOverloadedServer_failsOverAtOnce_toOneThatAccepts() {
        try (TestServer refusing = TestServer.start(Map.of("CEREBRUM_MIN_FREE_RAM_MB", Integer.toString(Integer.MAX_VALUE),
                "CEREBRUM_RETRY_AFTER_SECONDS", "30"));
             TestServer accepting = TestServer.start(Map.of());
             CerebrumClient client = CerebrumClient.builder().endpoints(List.of(refusing.uri(), accepting.uri()))
                     .apiKey(TestServer.KEY).build();
             CerebrumClient onRefusing = refusing.client().build();
             CerebrumClient onAccepting = accepting.client().build()) {
            long start = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                try (InferenceStream s = client.stream(abc())) {
                    assertEquals(accepting.uri(), s.endpoint());
                    assertEquals("def", s.text());
                }
            }
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(30)) < 0,
                    "failover does not wait the refusing server's Retry-After");
            assertEquals(4L, TestServer.inferenceCount(onAccepting).orElse(0L));
            long refused = onRefusing.stats().refusals().get("memory");
            assertTrue(refused >= 1 && refused <= 4, "each refused request reached the refusing server at most once");
            assertEquals(0L, TestServer.inferenceCount(onRefusing).orElse(0L));
        }
    }

    @Test
    void theBreakerOpensAfterRepeatedFailures_andClosesAfterItsOpenDuration() throws Exception {
        int port = TestServer.closedPort();
        URI dead = URI.create("http://127.0.0.1:" + port);
        try (CerebrumClient client = CerebrumClient.builder().endpoint(dead).apiKey(TestServer.KEY)
                .retryPolicy(RetryPolicy.none())
                .circuitBreaker(new CircuitBreakerPolicy(2, Duration.ofSeconds(2), 1)).build()) {
            for (int i = 0; i < 2; i++) {
                UnavailableException e = assertThrows(UnavailableException.class, client::health);
                assertEquals(UnavailableException.Kind.CONNECT_FAILED, e.kind());
            }
            assertEquals(CircuitState.OPEN, status(client, dead).circuit());
            UnavailableException open = assertThrows(UnavailableException.class, client::health);
            assertEquals(UnavailableException.Kind.CIRCUIT_OPEN, open.kind(), "no connection is tried while open");

            try (TestServer revived = TestServer.start(Map.of("CEREBRUM_VPS_PORT", Integer.toString(port)))) {
                assertEquals(dead, revived.uri());
                assertThrows(UnavailableException.class, client::health, "still open until its duration has passed");
                assertTrue(TestServer.await(Duration.ofSeconds(5),
                        () -> status(client, dead).circuit() == CircuitState.HALF_OPEN));
                assertTrue(client.health().healthy(), "the probe goes through");
                assertEquals(CircuitState.CLOSED, status(client, dead).circuit());
                assertEquals(0, status(client, dead).consecutiveFailures());
            }
        }
    }

    @Test
    void withTwoEndpoints_anOpenBreakerRoutesEverythingToTheOther_untilItsProbeSucceeds() throws Exception {
        try (TestServer a = TestServer.start(Map.of()); TestServer b = TestServer.start(Map.of());
             CerebrumClient client = CerebrumClient.builder().endpoints(List.of(a.uri(), b.uri()))
                     .apiKey(TestServer.KEY)
                     .circuitBreaker(new CircuitBreakerPolicy(2, Duration.ofSeconds(2), 1)).build()) {
            a.stop();
            for (int i = 0; i < 6; i++) {
                assertTrue(client.health().healthy());
            }
            assertEquals(CircuitState.OPEN, status(client, a.uri()).circuit());
            assertEquals(2, status(client, a.uri()).consecutiveFailures(), "no request tried a while it was open");

            a.restart();
            assertTrue(TestServer.await(Duration.ofSeconds(5),
                    () -> status(client, a.uri()).circuit() == CircuitState.HALF_OPEN));
            for (int i = 0; i < 4 && status(client, a.uri()).circuit() != CircuitState.CLOSED; i++) {
                client.health();
            }
            assertEquals(CircuitState.CLOSED, status(client, a.uri()).circuit());
        }
    }
}
