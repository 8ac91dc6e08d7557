package dev.cerebrum.client;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import static dev.cerebrum.client.TestServer.MODEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every call and the refusals one ordinary server gives, real client against real server and engine. */
class ClientCallsIT {

    private static TestServer server;
    private static CerebrumClient client;

    @BeforeAll
    static void start() {
        server = TestServer.start(2, Map.of());
        client = server.client().build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static InferenceRequest greedy(String prompt, int maxTokens) {
        return InferenceRequest.builder(MODEL, prompt).greedy().maxTokens(maxTokens).build();
    }

    @Test
    void health_answersWithoutTheKey() {
        try (CerebrumClient anonymous = CerebrumClient.builder().endpoint(server.uri()).build()) {
            Health h = anonymous.health();
            assertTrue(h.healthy(), "status " + h.status());
            assertTrue(h.available());
            assertTrue(h.uptimeSeconds() >= 0);
        }
    }

    @Test
    void infer_returnsTheModelsKnownContinuation() {
        InferenceResponse r = client.infer(greedy("abc", 5));
        assertEquals("defgh", r.result());
        assertEquals(MODEL, r.model());
        assertEquals(5, r.tokensGenerated());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertNotNull(r.timestamp());
        assertNotNull(r.requestId());
    }

    @Test
    void ignoreEos_generatesPastEndOfSequenceUpToMaxTokens() {
        // Without ignore_eos, "w" ends after "xyz" (3 tokens); with it the generation runs to max_tokens.
        InferenceResponse r = client.infer(InferenceRequest.builder(MODEL, "w").greedy().maxTokens(6).ignoreEos(true).build());
        assertEquals(6, r.tokensGenerated());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertTrue(r.result().startsWith("xyz"), r.result());
    }

    @Test
    void stream_yieldsTokensThenDone_andStopsAtEndOfSequence() {
        List<StreamEvent> events = new ArrayList<>();
        try (InferenceStream s = client.stream(greedy("w", 50))) {
            s.forEachRemaining(events::add);
            assertNotNull(s.requestId());
        }
        assertEquals(List.of(new StreamEvent.Token("x", 1), new StreamEvent.Token("y", 2), new StreamEvent.Token("z", 3)),
                events.subList(0, 3));
        StreamEvent.Done done = assertInstanceOf(StreamEvent.Done.class, events.get(3));
        assertEquals(4, events.size());
        assertEquals(3, done.totalTokens());
        assertEquals(FinishReason.STOP, done.finishReason());
    }

    @Test
    void streamAsStream_andText() {
        try (InferenceStream s = client.stream(greedy("abc", 4))) {
            assertEquals(4, s.stream().filter(e -> e instanceof StreamEvent.Token).count());
        }
        try (InferenceStream s = client.stream(greedy("abc", 3))) {
            assertEquals("def", s.text());
        }
    }

    @Test
    void inferAsync_completesWithTheAnswer() throws Exception {
        CompletableFuture<InferenceResponse> f = client.inferAsync(greedy("mno", 3));
        assertEquals("pqr", f.get(30, TimeUnit.SECONDS).result());
    }

    @Test
    void streamAsync_deliversEveryEventToItsSubscriber_thenCompletes() throws Exception {
        List<StreamEvent> events = new ArrayList<>();
        CountDownLatch finished = new CountDownLatch(1);
        Throwable[] error = new Throwable[1];
        client.streamAsync(greedy("stu", 50)).subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(1_000);
            }

            @Override
            public void onNext(StreamEvent item) {
                events.add(item);
            }

            @Override
            public void onError(Throwable t) {
                error[0] = t;
                finished.countDown();
            }

            @Override
            public void onComplete() {
                finished.countDown();
            }
        });
        assertTrue(finished.await(30, TimeUnit.SECONDS));
        assertEquals(null, error[0]);
        StringBuilder text = new StringBuilder();
        events.forEach(e -> {
            if (e instanceof StreamEvent.Token t) {
                text.append(t.text());
            }
        });
        assertEquals("vwxyz", text.toString());
        assertInstanceOf(StreamEvent.Done.class, events.getLast());
    }

    @Test
    void models_andStats_reportTheModel() {
        client.infer(greedy("abc", 2));
        ModelList m = client.models();
        assertTrue(m.availableModels().contains(MODEL));
        assertTrue(m.cachedModels().contains(MODEL));
        ModelStatus s = m.model(MODEL).orElseThrow();
        assertEquals("ready", s.state());
        assertEquals(2, s.parallel());
        assertTrue(m.inferenceCounts().get(MODEL) >= 1);

        Stats stats = client.stats();
        assertTrue(stats.models().cached().contains(MODEL));
        assertTrue(stats.tokens().completion() >= 2);
        assertEquals(2, stats.queues().get(MODEL).slotsTotal());
    }

    @Test
    void load_unload_andCleanup() {
        LoadResult loaded = client.load(MODEL);
        assertEquals("loaded", loaded.status());
        assertEquals(MODEL, loaded.model());
        assertTrue(client.load(MODEL).alreadyLoaded());

        UnloadResult unloaded = client.unload(MODEL, false);
        assertEquals("unloaded", unloaded.status());
        ModelNotFoundException notLoaded = assertThrows(ModelNotFoundException.class, () -> client.unload(MODEL));
        assertTrue(notLoaded.notLoaded());
        assertEquals(404, notLoaded.status());

        client.load(MODEL);
        CleanupResult cleaned = client.cleanup();
        assertEquals("cleaned", cleaned.status());
        assertEquals(List.of(MODEL), cleaned.modelsRemoved());
        assertFalse(client.models().cachedModels().contains(MODEL));

        client.load(MODEL);
        CleanupResult none = client.cleanup(60);
        assertEquals(List.of(), none.modelsRemoved(), "the model was idle for less than 60 minutes");
        assertEquals(List.of(MODEL), none.modelsRemaining());
    }

    @Test
    void aWrongKey_isUnauthorized() {
        try (CerebrumClient wrong = server.client().apiKey("not-the-key").build()) {
            UnauthorizedException e = assertThrows(UnauthorizedException.class, wrong::models);
            assertEquals(401, e.status());
            assertNotNull(e.requestId());
            assertFalse(e.getMessage().contains("not-the-key"));
            assertThrows(UnauthorizedException.class, () -> wrong.infer(greedy("abc", 1)));
        }
    }

    @Test
    void anUnknownModel_isModelNotFound() {
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> client.infer(InferenceRequest.of("no_such_model", "abc")));
        assertEquals("model_not_found", e.code());
        assertFalse(e.notLoaded());
        assertThrows(ModelNotFoundException.class, () -> client.stream(InferenceRequest.of("no_such_model", "abc")));
    }

    @Test
    void anOutOfRangeField_comesBackAsInvalidRequestNamingIt() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> client.infer(InferenceRequest.builder(MODEL, "abc").temperature(5).build()));
        assertEquals(400, e.status());
        assertEquals("temperature", e.field());
        InvalidRequestException tooMany = assertThrows(InvalidRequestException.class,
                () -> client.stream(InferenceRequest.builder(MODEL, "abc").maxTokens(1_000_000).build()));
        assertEquals("max_tokens", tooMany.field(), "the client sends max_tokens as given, never capped");
    }

    @Test
    void aHugePrompt_isPayloadTooLarge() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> client.infer(InferenceRequest.of(MODEL, "a".repeat(2_000_000))));
        assertEquals(413, e.status());
        assertEquals("payload_too_large", e.code());
        assertNotNull(e.limit());
    }

    @Test
    void theEndlessGrammar_generatesUntilMaxTokens_soItCanKeepASlotBusy() {
        long start = System.nanoTime();
        InferenceResponse r = client.infer(server.endless());
        System.out.printf("endless generation: %d tokens in %d ms%n", r.tokensGenerated(),
                (System.nanoTime() - start) / 1_000_000);
        assertEquals(server.longTokens(), r.tokensGenerated());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertTrue(r.result().startsWith("abab"));
    }

    @Test
    void streamClosedEarly_freesTheSlot_andCancelsTheGeneration() throws Exception {
        long completionBefore = client.stats().tokens().completion();
        try (InferenceStream s = client.stream(server.endless())) {
            for (int i = 0; i < 3; i++) {
                assertInstanceOf(StreamEvent.Token.class, s.next());
            }
            assertTrue(TestServer.slotsBusy(client) >= 1);
        }
        assertTrue(TestServer.await(Duration.ofSeconds(10), () -> TestServer.slotsBusy(client) == 0),
                "the slot is freed after the client disconnects");
        long generated = client.stats().tokens().completion() - completionBefore;
        assertTrue(generated < server.longTokens(),
                "the generation was cancelled, not run to its end: " + generated + " tokens");
        assertEquals(0, client.endpoints().getFirst().inFlight());
    }

    @Test
    void cancellingTheAsyncSubscription_disconnects_andFreesTheSlot() throws Exception {
        long completionBefore = client.stats().tokens().completion();
        CountDownLatch cancelled = new CountDownLatch(1);
        List<Object> signals = new java.util.concurrent.CopyOnWriteArrayList<>();
        client.streamAsync(server.endless()).subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(StreamEvent item) {
                signals.add(item);
                subscription.cancel();
                cancelled.countDown();
            }

            @Override
            public void onError(Throwable t) {
                signals.add(t);
            }

            @Override
            public void onComplete() {
                signals.add("complete");
            }
        });
        assertTrue(cancelled.await(30, TimeUnit.SECONDS));
        assertTrue(TestServer.await(Duration.ofSeconds(10), () -> TestServer.slotsBusy(client) == 0));
        long generated = client.stats().tokens().completion() - completionBefore;
        assertTrue(generated < server.longTokens(), "cancelled after " + generated + " tokens");
        assertEquals(1, signals.size(), "nothing is signalled after cancel: " + signals);
        assertInstanceOf(StreamEvent.Token.class, signals.getFirst());
    }

    @Test
    void anInferenceWhoseAnswerTimesOut_isNotSentAgain() throws Exception {
        long before = TestServer.inferenceCount(client).orElse(0L);
        long tokensBefore = client.stats().tokens().completion();
        try (CerebrumClient impatient = server.client().readTimeout(Duration.ofMillis(60))
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(20)))
                .build()) {
            UnavailableException e = assertThrows(UnavailableException.class, () -> impatient.infer(server.endless()));
            assertEquals(UnavailableException.Kind.RESPONSE_TIMEOUT, e.kind());
            assertTrue(e.requestSent());
            assertFalse(e.isRetriable());
        }
        assertTrue(TestServer.await(Duration.ofSeconds(20), () -> TestServer.slotsBusy(client) == 0
                && TestServer.inferenceCount(client).orElse(0L) > before));
        assertEquals(before + 1, TestServer.inferenceCount(client).orElse(0L), "the server ran it exactly once");
        assertTrue(client.stats().tokens().completion() - tokensBefore <= server.longTokens());
    }

    @Test
    void theClientsConcurrencyLimit_failsFastWhenFull() {
        try (CerebrumClient limited = server.client().concurrencyLimit(1, Duration.ZERO).build()) {
            try (InferenceStream open = limited.stream(greedy("abc", 2))) {
                OverloadedException e = assertThrows(OverloadedException.class, limited::models);
                assertEquals(OverloadedException.Kind.CLIENT_LIMIT, e.kind());
                assertTrue(e.isBusy());
                assertTrue(limited.health().available(), "health is not limited");
                assertEquals("de", open.text());
            }
            assertTrue(limited.models().availableModels().contains(MODEL), "closing the stream returned the permit");
        }
    }

    @Test
    void aClosedClient_refusesCalls() {
        CerebrumClient c = server.client().build();
        c.close();
        UnavailableException e = assertThrows(UnavailableException.class, c::health);
        assertEquals(UnavailableException.Kind.CLIENT_CLOSED, e.kind());
    }
}
