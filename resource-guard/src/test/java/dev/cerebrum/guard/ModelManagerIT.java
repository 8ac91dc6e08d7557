package dev.cerebrum.guard;

import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationResult;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.gguf.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.cerebrum.guard.RealEngine.entry;
import static dev.cerebrum.guard.RealEngine.firstToken;
import static dev.cerebrum.guard.RealEngine.greedy;
import static dev.cerebrum.guard.RealEngine.long_;
import static dev.cerebrum.guard.RealEngine.workersOf;
import static dev.cerebrum.guard.TestSupport.awaitTrue;
import static dev.cerebrum.guard.TestSupport.finish;
import static dev.cerebrum.guard.TestSupport.quietSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manager on the real llama.cpp engine, with the generated successor model and real worker processes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ModelManagerIT {
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final long MB = 1024L * 1024L;

    @TempDir
    static Path workDir;
    private static InferenceEngine engine;
    private static Path model;

    private final AtomicReference<ModelManager> current = new AtomicReference<>();
    /** Available RAM is a budget minus the measured RSS of the models the manager has loaded. */
    private final TestSupport.TestHost host = new TestSupport.TestHost(() -> {
        ModelManager m = current.get();
        return m == null ? 0 : m.models().stream().filter(ModelStatus::loaded)
                .mapToLong(s -> Math.max(0, s.rssBytes())).sum();
    });
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeAll
    static void startEngine() {
        engine = RealEngine.create(workDir.resolve("engine"));
        model = TestModels.successor();
    }

    @AfterAll
    static void stopEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    @AfterEach
    void tearDown() {
        ModelManager m = current.get();
        if (m != null) {
            m.close();
        }
        pool.shutdownNow();
    }

    private ModelManager manager(GuardSettings settings, java.time.Clock clock, ModelEntry... entries) {
        ModelManager m = ModelManager.create(engine, ModelRegistry.of(List.of(entries)), settings, host, clock);
        current.set(m);
        return m;
    }

    private ModelManager manager(GuardSettings settings, ModelEntry... entries) {
        return manager(settings, java.time.Clock.systemUTC(), entries);
    }

    @Test
    void fiveConcurrentFirstRequests_makeOneLoad_andAllGetTheKnownAnswer() throws Exception {
        // given an unloaded model with two slots
        ModelManager m = manager(quietSettings(), entry(model, "sf", 512, 2, 60, false));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        m.bindTo(meters);
        CountDownLatch go = new CountDownLatch(1);
        // when five first requests arrive at once
        List<Future<GenerationResult>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(pool.submit(() -> {
                go.await();
                try (Generation g = m.submit("sf", greedy("abc"))) {
                    return g.await();
                }
            }));
        }
        go.countDown();
        // then every one gets the model's answer from one load and one worker
        for (Future<GenerationResult> call : calls) {
            GenerationResult r = call.get(60, TimeUnit.SECONDS);
            assertEquals("defghijk", r.text());
            assertEquals(FinishReason.LENGTH, r.finished().reason());
        }
        assertEquals(1.0, meters.get("cerebrum.loads").tag("model", "sf").functionCounter().count());
        assertEquals(1, workersOf("sf").size());
        ModelStatus s = m.status("sf");
        assertEquals(ModelState.READY, s.state());
        assertEquals(5, s.inferenceCount());
        assertEquals(40, s.completionTokens());
        assertTrue(s.rssBytes() > 0, "rss " + s.rssBytes());
        assertTrue(s.estimateBytes() > 0, "estimate " + s.estimateBytes());
        System.out.printf("successor model: estimate %.1f MB, worker RSS %.1f MB, load %d ms%n",
                s.estimateBytes() / (double) MB, s.rssBytes() / (double) MB, s.loadDuration().toMillis());
    }

    @Test
    void idleModel_isUnloadedAfterItsIdleTime_andItsWorkerIsGone() throws Exception {
        // given a model with one idle minute, a clock the test moves and a fast idle check
        TestSupport.MutableClock clock = new TestSupport.MutableClock();
        ModelManager m = manager(quietSettings().withIdleCheckInterval(Duration.ofMillis(50)), clock,
                entry(model, "idle", 512, 1, 1, false));
        try (Generation g = m.submit("idle", greedy("w"))) {
            GenerationResult r = g.await();
            assertEquals("xyz", r.text());
            assertEquals(FinishReason.STOP, r.finished().reason());
        }
        List<ProcessHandle> workers = workersOf("idle");
        assertEquals(1, workers.size());
        // when less than the idle time passes, it stays
        clock.advance(Duration.ofSeconds(50));
        Thread.sleep(300);
        assertEquals(ModelState.READY, m.status("idle").state());
        // when the idle time has passed
        clock.advance(Duration.ofSeconds(15));
        // then the timer unloads it and its worker process ends
        awaitTrue(() -> m.status("idle").state() == ModelState.UNLOADED, BOUND, "idle unload");
        ProcessHandle worker = workers.get(0);
        awaitTrue(() -> !worker.isAlive(), BOUND, "worker " + worker.pid() + " exits");
        assertTrue(workersOf("idle").isEmpty());
        assertNull(m.status("idle").loadedAt());
        // and the next request loads it again
        try (Generation g = m.submit("idle", greedy("w"))) {
            assertEquals("xyz", g.await().text());
        }
    }

    @Test
    void smallMemoryBudget_evictsTheLruIdleModel_neverABusyOrPinnedOne() throws Exception {
        // given a pinned model, a busy model and an idle one, in that order of last use
        ModelManager m = manager(quietSettings().withMinFreeRamMb(1), entry(model, "pinned", 512, 1, 60, true),
                entry(model, "busy", 512, 1, 60, false), entry(model, "idle", 512, 1, 60, false),
                entry(model, "fresh", 512, 1, 60, false));
        try (Generation g = m.submit("pinned", greedy("w"))) {
            assertEquals("xyz", g.await().text());
        }
        Generation busy = m.submit("busy", long_("abc"));
        assertEquals("d", firstToken(busy, BOUND).text());
        try (Generation g = m.submit("idle", greedy("w"))) {
            assertEquals("xyz", g.await().text());
        }
        // and a budget where three loaded models leave no room for a fourth
        long rss = m.models().stream().filter(ModelStatus::loaded).mapToLong(ModelStatus::rssBytes).max().orElseThrow();
        long estimate = m.status("fresh").estimateBytes();
        host.budget = MB + 2 * rss + estimate + rss / 2 + (3 * rss - m.models().stream()
                .filter(ModelStatus::loaded).mapToLong(ModelStatus::rssBytes).sum());
        ProcessHandle idleWorker = workersOf("idle").get(0);
        // when a fourth model is needed
        try (Generation g = m.submit("fresh", greedy("abc"))) {
            assertEquals("defghijk", g.await().text());
        }
        // then the idle one was evicted and its worker ended; the pinned and busy ones stay
        assertEquals(ModelState.UNLOADED, m.status("idle").state());
        awaitTrue(() -> !idleWorker.isAlive(), BOUND, "evicted worker exits");
        assertEquals(ModelState.READY, m.status("pinned").state());
        assertEquals(ModelState.READY, m.status("busy").state());
        assertEquals(1, workersOf("pinned").size());
        assertEquals(1, workersOf("busy").size());
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        m.bindTo(meters);
        assertEquals(1.0, meters.get("cerebrum.evictions").tag("model", "idle").functionCounter().count());
        // and the busy generation is still being served: its stream goes on where it was
        GenerationEvent.Token next = firstToken(busy, BOUND);
        assertEquals("e", next.text());
        assertEquals(1, m.status("busy").inFlight());
        busy.cancel();
        // (the engine may have filled the slot's context before the cancel arrived)
        FinishReason end = finish(busy, BOUND).reason();
        assertTrue(end == FinishReason.CANCELLED || end == FinishReason.LENGTH, end.toString());
        assertEquals(0, m.status("busy").inFlight());
    }

    @Test
    void smallMemoryBudget_withNothingEvictable_refusesWithTheNumbers() throws Exception {
        // given a pinned model and a busy one, and a budget without room for a third
        ModelManager m = manager(quietSettings().withMinFreeRamMb(1), entry(model, "pin2", 512, 1, 60, true),
                entry(model, "busy2", 512, 1, 60, false), entry(model, "third", 512, 1, 60, false));
        m.load("pin2");
        Generation busy = m.submit("busy2", long_("abc"));
        firstToken(busy, BOUND);
        long used = m.models().stream().filter(ModelStatus::loaded).mapToLong(ModelStatus::rssBytes).sum();
        host.budget = MB + used + m.status("third").estimateBytes() / 2;
        // when the third is asked for
        OverloadedException e = assertThrows(OverloadedException.class, () -> m.submit("third", greedy("w")));
        // then it is refused as overloaded with the numbers, nothing was unloaded and no worker started
        assertEquals(Refusal.MEMORY, e.refusal());
        assertTrue(e.reason().matches(".*needs about \\d+ MB but \\d+ MB of RAM are available and 1 MB must stay free.*"),
                e.reason());
        assertEquals(Duration.ofSeconds(7), e.retryAfter());
        assertEquals(1L, m.refusals().get(Refusal.MEMORY));
        assertEquals(ModelState.READY, m.status("pin2").state());
        assertEquals(ModelState.READY, m.status("busy2").state());
        assertEquals(ModelState.UNLOADED, m.status("third").state());
        assertTrue(workersOf("third").isEmpty());
        busy.cancel();
    }

    @Test
    void queueOverflow_isRefused_andAQueuedCallerThatGoesAwayIsRemoved() throws Exception {
        // given one slot kept busy (2048 tokens of context: it runs for seconds) and a queue of one
        ModelManager m = manager(quietSettings().withQueueSize(1), entry(model, "q", 2048, 1, 60, false));
        Generation busy = m.submit("q", long_("abc"));
        firstToken(busy, BOUND);
        Generation queued = m.submit("q", greedy("w"));
        assertNull(queued.poll(Duration.ofMillis(100)));
        assertFalse(queued.started());
        // the guard's queue is the only one; the phases come from the engine
        ModelStatus status = m.status("q");
        assertEquals(List.of(1, 1, 1, 0, 1), List.of(status.queued(), status.inFlight(), status.slotsBusy(),
                status.prefilling(), status.decoding()), status.toString());
        // when another arrives, it is refused as busy
        QueueFullException full = assertThrows(QueueFullException.class, () -> m.submit("q", greedy("w")));
        assertEquals(Duration.ofSeconds(7), full.retryAfter());
        assertEquals(1L, m.refusals().get(Refusal.QUEUE_FULL));
        // when the queued caller goes away, it leaves the queue at once
        queued.close();
        assertEquals(0, m.status("q").queued());
        assertEquals(FinishReason.CANCELLED,
                assertInstanceOf(GenerationEvent.Finished.class, queued.poll(Duration.ZERO)).reason());
        // and its place is taken by the next caller, who runs when the slot frees
        Generation next = m.submit("q", greedy("abc"));
        assertEquals(1, m.status("q").queued());
        busy.cancel();
        GenerationResult r = next.await();
        assertEquals("defghijk", r.text());
        assertTrue(r.finished().timings().queueMillis() > 0);
        // the one that left never ran: the busy one and the last one are the only generations
        assertEquals(2, m.status("q").inferenceCount());
    }

    @Test
    void cpuAboveTheLimit_refusesLoadsAndFreeSlots_butQueuesForABusyLoadedModel() throws Exception {
        // given a loaded model with its slot busy, and an unloaded one
        ModelManager m = manager(quietSettings().withMaxCpuPercent(70), entry(model, "hot", 512, 1, 60, false),
                entry(model, "cold", 512, 1, 60, false));
        Generation busy = m.submit("hot", long_("abc"));
        firstToken(busy, BOUND);
        // when the CPU reading goes above the limit
        host.cpu = 95;
        m.sampleHost();
        assertTrue(m.refusalReason().isPresent());
        // then a request that needs a load is refused with a retry hint, and no worker starts
        OverloadedException e = assertThrows(OverloadedException.class, () -> m.submit("cold", greedy("w")));
        assertEquals(Refusal.CPU, e.refusal());
        assertEquals(Duration.ofSeconds(7), e.retryAfter());
        assertTrue(workersOf("cold").isEmpty());
        // and a request that only waits for the busy slot queues, then runs when the slot frees
        Generation queued = m.submit("hot", greedy("w"));
        assertFalse(queued.started());
        busy.cancel();
        assertEquals("xyz", queued.await().text());
        // with the slot free and CPU still high, new work on it is refused too
        assertThrows(OverloadedException.class, () -> m.submit("hot", greedy("w")));
        assertEquals(2L, m.refusals().get(Refusal.CPU));
        // when CPU falls, it is admitted again
        host.cpu = 10;
        m.sampleHost();
        try (Generation g = m.submit("cold", greedy("w"))) {
            assertEquals("xyz", g.await().text());
        }
    }

    @Test
    void forcedUnload_cancelsTheRunningGeneration_andEndsTheWorker() throws Exception {
        ModelManager m = manager(quietSettings(), entry(model, "forced", 512, 1, 60, false));
        Generation busy = m.submit("forced", long_("abc"));
        firstToken(busy, BOUND);
        ProcessHandle worker = workersOf("forced").get(0);
        UnloadReport report = m.unload("forced", true);
        assertEquals(1, report.cancelledGenerations());
        GenerationEvent.Finished end = finish(busy, BOUND);
        // whatever the engine made of it, the generation ends as cancelled by the unload
        assertEquals(FinishReason.CANCELLED, end.reason(), end.toString());
        assertEquals(FailureKind.UNLOADED, end.failure(), end.toString());
        awaitTrue(() -> !worker.isAlive(), BOUND, "worker exits");
        assertThrows(ModelNotLoadedException.class, () -> m.unload("forced", false));
    }
}
