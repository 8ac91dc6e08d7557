package dev.cerebrum.guard;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.UnknownModelException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
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

import static dev.cerebrum.guard.FakeEngine.MB;
import static dev.cerebrum.guard.TestSupport.awaitTrue;
import static dev.cerebrum.guard.TestSupport.entry;
import static dev.cerebrum.guard.TestSupport.finish;
import static dev.cerebrum.guard.TestSupport.quietSettings;
import static dev.cerebrum.guard.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ModelManagerTest {
    private static final Duration BOUND = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final FakeEngine engine = new FakeEngine();
    private final TestSupport.TestHost host = new TestSupport.TestHost(engine::residentBytes);
    private final TestSupport.MutableClock clock = new TestSupport.MutableClock();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private ModelManager manager;

    private ModelManager manager(GuardSettings settings, ModelEntry... entries) {
        manager = ModelManager.create(engine, ModelRegistry.of(List.of(entries)), settings, host, clock);
        return manager;
    }

    @AfterEach
    void tearDown() {
        if (manager != null) {
            manager.close();
        }
        pool.shutdownNow();
    }

    // ------------------------------------------------------------ single flight and loading

    @Test
    void fiveConcurrentFirstRequests_shareOneLoad() throws Exception {
        // given a model whose load is held open
        manager(quietSettings(), entry(dir, "m", 5));
        engine.loadGate = new CountDownLatch(1);
        // when five requests arrive while it loads
        List<Generation> results = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Thread t = new Thread(() -> results.add(manager.submit("m", request("abc"))));
            t.start();
            callers.add(t);
        }
        // every caller is parked waiting for the one load
        awaitTrue(() -> callers.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING), BOUND,
                "all callers wait");
        assertEquals(ModelState.LOADING, manager.status("m").state());
        assertEquals(1, engine.loads.get());
        engine.loadGate.countDown();
        for (Thread t : callers) {
            t.join(5_000);
        }
        // then all five run on that one load
        assertEquals(5, results.size());
        assertEquals(1, engine.loads.get());
        assertEquals(5, engine.current("m").generations.size());
        assertEquals(ModelState.READY, manager.status("m").state());
    }

    @Test
    void failedLoad_isReportedAndRetriedByTheNextRequest() {
        // given an engine whose next load fails
        manager(quietSettings(), entry(dir, "m", 1));
        engine.failNextLoads.set(1);
        // when a request asks for the model
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                () -> manager.submit("m", request("abc")));
        // then the failure is visible without the absolute path
        assertTrue(e.reason().startsWith("load failed"), e.reason());
        assertFalse(e.reason().contains(dir.toString()), e.reason());
        ModelStatus failed = manager.status("m");
        assertEquals(ModelState.FAILED, failed.state());
        assertEquals(e.reason(), failed.reason());
        // and a later request loads it again
        Generation g = manager.submit("m", request("abc"));
        assertNotNull(g);
        assertEquals(2, engine.loads.get());
        assertEquals(ModelState.READY, manager.status("m").state());
        assertNull(manager.status("m").reason());
    }

    @Test
    void slowLoad_timesOutForTheCaller_andCompletesLater() throws Exception {
        // given a short load timeout and a load that is held open
        manager(quietSettings().withLoadTimeout(Duration.ofMillis(200)), entry(dir, "m", 1));
        engine.loadGate = new CountDownLatch(1);
        // when a request waits for it
        LoadTimeoutException e = assertThrows(LoadTimeoutException.class, () -> manager.submit("m", request("a")));
        // then it is told so, and the load goes on
        assertEquals("m", e.model());
        assertEquals(ModelState.LOADING, manager.status("m").state());
        engine.loadGate.countDown();
        awaitTrue(() -> manager.status("m").state() == ModelState.READY, BOUND, "ready after the gate opens");
        assertEquals(1, engine.loads.get());
    }

    @Test
    void preload_reportsLoadAndRss_andAlreadyLoadedOnTheSecondCall() {
        manager(quietSettings(), entry(dir, "m", 1));
        engine.estimates.put("m", 42 * MB);
        LoadReport first = manager.load("m");
        assertFalse(first.alreadyLoaded());
        assertEquals(42 * MB, first.estimateBytes());
        assertEquals(42 * MB, first.rssBytes());
        assertNotNull(first.loadTime());
        LoadReport second = manager.load("m");
        assertTrue(second.alreadyLoaded());
        assertEquals(1, engine.loads.get());
        ModelStatus s = manager.status("m");
        assertEquals(42 * MB, s.rssBytes());
        assertEquals(clock.instant(), s.loadedAt());
    }

    @Test
    void unknownModel_isATypedNotFound() {
        manager(quietSettings(), entry(dir, "m", 1));
        assertThrows(UnknownModelException.class, () -> manager.submit("nope", request("a")));
        assertThrows(UnknownModelException.class, () -> manager.load("nope"));
        assertThrows(UnknownModelException.class, () -> manager.status("nope"));
        assertThrows(UnknownModelException.class, () -> manager.unload("nope", false));
    }

    @Test
    void fileTheEngineCannotRead_isUnavailableWithoutAbsolutePath() {
        // given a registered file that is not a GGUF
        engine.invalid.add("bad");
        manager(quietSettings(), entry(dir, "good", 1), entry(dir, "bad", 1));
        // then it is listed as unavailable at once, with the file name only
        ModelStatus bad = manager.status("bad");
        assertFalse(bad.available());
        assertTrue(bad.reason().contains("bad.gguf"), bad.reason());
        assertFalse(bad.reason().contains(dir.toString()), bad.reason());
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                () -> manager.submit("bad", request("a")));
        assertEquals(bad.reason(), e.reason());
        assertEquals(0, engine.loads.get());
        assertTrue(manager.status("good").available());
    }

    @Test
    void deadWorker_isReloadedByTheNextRequest() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1));
        Generation first = manager.submit("m", request("a"));
        engine.current("m").generations.get(0).complete(1);
        finish(first, BOUND);
        engine.current("m").alive = false;
        Generation second = manager.submit("m", request("a"));
        assertNotNull(second);
        assertEquals(2, engine.loads.get());
    }

    // ------------------------------------------------------------ queue

    @Test
    void busySlots_queueInOrder_andAQueuedGenerationStartsWhenASlotFrees() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1));
        Generation running = manager.submit("m", request("a"));
        Generation queued = manager.submit("m", request("b"));
        // while waiting it yields nothing and has no slot
        assertNull(queued.poll(Duration.ofMillis(50)));
        assertFalse(queued.started());
        assertEquals(1, manager.status("m").queued());
        assertEquals(1, engine.current("m").generations.size());
        // when the running one finishes, the queued one gets the slot
        engine.current("m").generations.get(0).complete(2);
        GenerationEvent.Finished f = finish(running, BOUND);
        assertEquals(2, f.completionTokens());
        awaitTrue(() -> engine.current("m").generations.size() == 2, BOUND, "queued generation started");
        assertEquals(0, manager.status("m").queued());
        assertEquals(1, manager.status("m").inFlight());
        Thread.sleep(20);
        engine.current("m").generations.get(1).complete(3);
        GenerationEvent.Finished second = finish(queued, BOUND);
        assertEquals(3, second.completionTokens());
        // and its queue time includes the wait in the manager's queue
        assertTrue(second.timings().queueMillis() > 50, "queue ms " + second.timings().queueMillis());
        assertEquals(2, manager.status("m").inferenceCount());
        assertEquals(5, manager.status("m").completionTokens());
    }

    @Test
    void queueFull_isRefusedWithRetryAfter() {
        // given one slot busy and a queue of two, full
        manager(quietSettings().withQueueSize(2), entry(dir, "m", 1));
        manager.submit("m", request("a"));
        manager.submit("m", request("b"));
        manager.submit("m", request("c"));
        // when one more arrives
        QueueFullException e = assertThrows(QueueFullException.class, () -> manager.submit("m", request("d")));
        // then it is refused as busy with the retry hint, and counted
        assertEquals("m", e.model());
        assertEquals(Duration.ofSeconds(7), e.retryAfter());
        assertEquals(1L, manager.refusals().get(Refusal.QUEUE_FULL));
        assertEquals(2, manager.status("m").queued());
    }

    @Test
    void queuedCallerThatGoesAway_leavesTheQueueAtOnce() throws Exception {
        // given a queued generation
        manager(quietSettings().withQueueSize(1), entry(dir, "m", 1));
        Generation running = manager.submit("m", request("a"));
        Generation queued = manager.submit("m", request("b"));
        assertEquals(1, manager.status("m").queued());
        // when its caller closes it
        queued.close();
        // then it has left the queue at once, and its place is free
        assertEquals(0, manager.status("m").queued());
        GenerationEvent.Finished f = assertInstanceOf(GenerationEvent.Finished.class, queued.poll(Duration.ZERO));
        assertEquals(FinishReason.CANCELLED, f.reason());
        Generation another = manager.submit("m", request("c"));
        assertEquals(1, manager.status("m").queued());
        // and it never reaches the engine: the slot goes to the next one
        engine.current("m").generations.get(0).complete(1);
        finish(running, BOUND);
        awaitTrue(() -> engine.current("m").generations.size() == 2, BOUND, "next queued started");
        engine.current("m").generations.get(1).complete(1);
        finish(another, BOUND);
        assertEquals(2, engine.current("m").generations.size());
    }

    @Test
    void deadline_endsARunningAndAQueuedGenerationWithLength_andHandsTheSlotOn() throws Exception {
        manager(quietSettings().withGenerationTimeout(Duration.ofMillis(300)), entry(dir, "m", 1));
        Generation running = manager.submit("m", request("a"));
        Generation queued = manager.submit("m", request("b"));

        GenerationEvent.Finished ranOut = finish(running, BOUND);
        GenerationEvent.Finished waitedOut = finish(queued, BOUND);

        assertEquals(FinishReason.LENGTH, ranOut.reason());
        assertEquals(FailureKind.DEADLINE, ranOut.failure());
        assertEquals(FinishReason.LENGTH, waitedOut.reason());
        assertEquals(FailureKind.DEADLINE, waitedOut.failure());
        awaitTrue(() -> manager.status("m").inFlight() == 0 && manager.status("m").queued() == 0, BOUND,
                "nothing holds the slot");
    }

    @Test
    void queuedTooLong_endsWithTheQueueTimeoutError() throws Exception {
        manager(quietSettings().withQueueTimeout(Duration.ofMillis(200)), entry(dir, "m", 1));
        manager.submit("m", request("a"));
        Generation queued = manager.submit("m", request("b"));
        GenerationEvent.Finished f = finish(queued, BOUND);
        assertEquals(FinishReason.ERROR, f.reason());
        assertEquals(FailureKind.QUEUE_TIMEOUT, f.failure());
        assertEquals("timed out waiting for a free slot", f.error());
        assertEquals(0, manager.status("m").queued());
        assertThrows(IllegalStateException.class, () -> queued.poll(Duration.ZERO));
    }

    @Test
    void cancelRunning_freesItsSlotOnce_forTheNextInQueue() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1));
        Generation running = manager.submit("m", request("a"));
        Generation q1 = manager.submit("m", request("b"));
        Generation q2 = manager.submit("m", request("c"));
        running.cancel();
        running.cancel();
        awaitTrue(() -> engine.current("m").generations.size() == 2, BOUND, "first waiter started");
        // a second cancel must not hand out a second slot
        Thread.sleep(50);
        assertEquals(2, engine.current("m").generations.size());
        assertEquals(1, manager.status("m").inFlight());
        assertEquals(1, manager.status("m").queued());
        assertEquals(FinishReason.CANCELLED, finish(running, BOUND).reason());
        q1.cancel();
        q2.cancel();
    }

    @Test
    void promptLongerThanASlot_isRefusedBeforeQueueing() {
        manager(quietSettings(), entry(dir, "m", 1));
        String tooLong = "x".repeat(64);
        // a free slot: the engine refuses it
        assertThrows(ContextOverflowException.class, () -> manager.submit("m", request(tooLong)));
        assertEquals(0, manager.status("m").inFlight());
        // a busy slot: the manager refuses it before it waits
        manager.submit("m", request("a"));
        ContextOverflowException e = assertThrows(ContextOverflowException.class,
                () -> manager.submit("m", request(tooLong)));
        assertEquals(64, e.promptTokens());
        assertEquals(0, manager.status("m").queued());
    }

    // ------------------------------------------------------------ CPU rule

    @Test
    void cpuAboveLimit_refusesNewWork_butABusyLoadedModelQueues() throws Exception {
        // given two models, one loaded with its only slot busy
        manager(quietSettings().withMaxCpuPercent(70), entry(dir, "busy", 1), entry(dir, "cold", 1),
                entry(dir, "free", 2));
        manager.submit("busy", request("a"));
        manager.load("free");
        // when CPU goes above the limit
        host.cpu = 85;
        manager.sampleHost();
        // then a request that needs a load is refused with a retry hint and nothing loads
        OverloadedException cold = assertThrows(OverloadedException.class, () -> manager.submit("cold", request("a")));
        assertEquals(Refusal.CPU, cold.refusal());
        assertEquals(Duration.ofSeconds(7), cold.retryAfter());
        assertTrue(cold.reason().contains("85.0%") && cold.reason().contains("70%"), cold.reason());
        assertEquals(ModelState.UNLOADED, manager.status("cold").state());
        // a request that would take a free slot is refused
        assertThrows(OverloadedException.class, () -> manager.submit("free", request("a")));
        // a request that only waits for a busy slot queues
        Generation queued = manager.submit("busy", request("b"));
        assertFalse(queued.started());
        assertEquals(1, manager.status("busy").queued());
        assertEquals(2L, manager.refusals().get(Refusal.CPU));
        assertTrue(manager.refusalReason().orElseThrow().contains("CPU"));
        // and an explicit preload is not subject to the CPU rule
        assertFalse(manager.load("cold").alreadyLoaded());
        // when CPU comes back down, new work is admitted again
        host.cpu = 20;
        manager.sampleHost();
        assertTrue(manager.refusalReason().isEmpty());
        assertNotNull(manager.submit("free", request("a")));
    }

    @Test
    void theCpuRuleJudgesOtherProcesses_notTheBackendsOwnLoad() {
        // given a host kept busy by the backend's own generations, other processes nearly idle
        manager(quietSettings().withMaxCpuPercent(70), entry(dir, "m", 1), entry(dir, "cold", 1));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        manager.bindTo(meters);
        host.cpu = 100;
        host.own = 95;
        host.other = 5;
        manager.sampleHost();

        // then new work is admitted, and the figures are shown apart
        assertTrue(manager.refusalReason().isEmpty());
        assertNotNull(manager.submit("m", request("a")));
        assertEquals(100.0, meters.get("cerebrum.host.cpu.percent").gauge().value());
        assertEquals(5.0, meters.get("cerebrum.host.cpu.other.percent").gauge().value());
        assertEquals(95.0, meters.get("cerebrum.host.cpu.own.percent").gauge().value());
        assertEquals(2.0, meters.get("cerebrum.host.cpu.allowed.cores").gauge().value());
        assertTrue(Double.isNaN(meters.get("cerebrum.host.memory.limit.bytes").gauge().value()));

        // when other processes take 80% of the CPU, under a quota of 1.5 cores
        host.other = 80;
        host.limits = new HostLimits(2, LimitSource.CGROUP, 1.5, LimitSource.HOST, -1, -1);
        manager.sampleHost();

        // then the reason names their share, the window, the quota and the limit
        OverloadedException e = assertThrows(OverloadedException.class, () -> manager.submit("cold", request("a")));
        assertEquals("other processes use 80.0% of the CPU available to the backend (5 s average;"
                + " cgroup quota 1.5 of 2 host cores), above the limit of 70%", e.reason());
        assertEquals(1.5, meters.get("cerebrum.host.cpu.allowed.cores").gauge().value());
    }

    @Test
    void underACgroupMemoryLimit_theFloorAndTheLoadNameTheLimitAndItsUse() {
        // given a cgroup limit of 300 MB with 250 MB in use: 50 MB available, a floor of 100 MB
        host.budget = 50 * MB;
        host.limits = new HostLimits(2, LimitSource.HOST, 2, LimitSource.CGROUP, 300 * MB, 250 * MB);
        manager(quietSettings().withMinFreeRamMb(100), entry(dir, "m", 1));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        manager.bindTo(meters);
        manager.sampleHost();

        // then
        assertEquals("available RAM is 50 MB (cgroup memory limit 300 MB, 250 MB in use), under the floor of"
                + " 100 MB", manager.refusalReason().orElseThrow());
        OverloadedException e = assertThrows(OverloadedException.class, () -> manager.load("m"));
        assertEquals("model 'm' needs about 100 MB but 50 MB of RAM are available (cgroup memory limit 300 MB,"
                + " 250 MB in use) and 100 MB must stay free; no idle model can be unloaded to make room", e.reason());
        assertEquals(300.0 * MB, meters.get("cerebrum.host.memory.limit.bytes").gauge().value());
    }

    @Test
    void hostSample_comesFromTheBackgroundSampler() throws Exception {
        manager(quietSettings().withCpuSampleInterval(Duration.ofMillis(20)), entry(dir, "m", 1));
        host.cpu = 55.5;
        awaitTrue(() -> manager.host().cpuPercent() == 55.5, BOUND, "sampler picked up the new reading");
        assertEquals(host.budget, manager.host().totalRamBytes());
    }

    // ------------------------------------------------------------ memory and eviction

    @Test
    void memoryShort_evictsLeastRecentlyUsedIdleModel() {
        // given room for three 100 MB models above a 10 MB floor
        host.budget = 320 * MB;
        manager(quietSettings().withMinFreeRamMb(10), entry(dir, "a", 1), entry(dir, "b", 1), entry(dir, "c", 1),
                entry(dir, "d", 1));
        use("a");
        use("b");
        use("c");
        use("a");
        // when a fourth is needed
        manager.load("d");
        // then only the least recently used one (b) made room
        assertEquals(ModelState.UNLOADED, manager.status("b").state());
        assertTrue(engine.current("b").closed);
        for (String m : List.of("a", "c", "d")) {
            assertEquals(ModelState.READY, manager.status(m).state(), m);
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        manager.bindTo(meters);
        assertEquals(1.0, meters.get("cerebrum.evictions").tag("model", "b").functionCounter().count());
        assertEquals(0.0, meters.get("cerebrum.evictions").tag("model", "a").functionCounter().count());
    }

    @Test
    void eviction_neverTakesABusyOrPinnedModel() {
        // given a pinned idle model, a busy model and an idle model; room for three
        host.budget = 320 * MB;
        manager(quietSettings().withMinFreeRamMb(10), entry(dir, "pinned", 1, 60, true), entry(dir, "busy", 1),
                entry(dir, "idle", 1), entry(dir, "new", 1));
        use("pinned");
        manager.submit("busy", request("a"));
        clock.advance(Duration.ofSeconds(1));
        use("idle");
        // when another model is needed
        manager.load("new");
        // then the idle one made room although the others were used earlier
        assertEquals(ModelState.UNLOADED, manager.status("idle").state());
        assertEquals(ModelState.READY, manager.status("pinned").state());
        assertEquals(ModelState.READY, manager.status("busy").state());
    }

    @Test
    void memoryShort_andNothingEvictable_isRefusedWithTheNumbers() {
        // given a pinned model and a busy model filling the budget
        host.budget = 220 * MB;
        manager(quietSettings().withMinFreeRamMb(10), entry(dir, "pinned", 1, 60, true), entry(dir, "busy", 1),
                entry(dir, "new", 1));
        use("pinned");
        manager.submit("busy", request("a"));
        // when a third is needed
        OverloadedException e = assertThrows(OverloadedException.class, () -> manager.submit("new", request("a")));
        // then it is refused, naming the numbers in MB, and nothing was unloaded
        assertEquals(Refusal.MEMORY, e.refusal());
        assertTrue(e.reason().contains("100 MB") && e.reason().contains("20 MB") && e.reason().contains("10 MB"),
                e.reason());
        assertEquals(ModelState.READY, manager.status("pinned").state());
        assertEquals(ModelState.READY, manager.status("busy").state());
        assertEquals(ModelState.UNLOADED, manager.status("new").state());
        assertEquals(1L, manager.refusals().get(Refusal.MEMORY));
        assertEquals(2, engine.loads.get());
    }

    @Test
    void modelThatCannotFitEvenAfterEvictingAll_evictsNothing() {
        host.budget = 320 * MB;
        engine.estimates.put("huge", 1000 * MB);
        manager(quietSettings().withMinFreeRamMb(10), entry(dir, "a", 1), entry(dir, "huge", 1));
        use("a");
        assertThrows(OverloadedException.class, () -> manager.load("huge"));
        assertEquals(ModelState.READY, manager.status("a").state());
    }

    @Test
    void maxLoadedModels_evictsTheLruIdleOne_orRefusesWhenAllAreBusy() {
        manager(quietSettings().withMaxLoadedModels(2), entry(dir, "a", 1), entry(dir, "b", 1), entry(dir, "c", 1));
        use("a");
        use("b");
        manager.load("c");
        assertEquals(ModelState.UNLOADED, manager.status("a").state());
        // now b and c busy: a cannot come back
        manager.submit("b", request("x"));
        manager.submit("c", request("x"));
        OverloadedException e = assertThrows(OverloadedException.class, () -> manager.submit("a", request("x")));
        assertEquals(Refusal.MAX_MODELS, e.refusal());
        assertEquals(1L, manager.refusals().get(Refusal.MAX_MODELS));
    }

    // ------------------------------------------------------------ idle unload, unload, cleanup

    @Test
    void idleModel_isUnloadedAfterItsIdleTime_countedFromTheEndOfTheLastGeneration() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1, 1, false), entry(dir, "never", 1, 0, false));
        manager.load("never");
        Generation g = manager.submit("m", request("a"));
        // a generation that runs for ten minutes keeps the model
        clock.advance(Duration.ofMinutes(10));
        manager.checkIdle();
        assertEquals(ModelState.READY, manager.status("m").state());
        engine.current("m").generations.get(0).complete(1);
        finish(g, BOUND);
        // idle time starts at its end
        clock.advance(Duration.ofSeconds(59));
        manager.checkIdle();
        assertEquals(ModelState.READY, manager.status("m").state());
        clock.advance(Duration.ofSeconds(2));
        manager.checkIdle();
        assertEquals(ModelState.UNLOADED, manager.status("m").state());
        assertTrue(engine.current("m").closed);
        // idle time 0 never unloads
        clock.advance(Duration.ofDays(3));
        manager.checkIdle();
        assertEquals(ModelState.READY, manager.status("never").state());
    }

    @Test
    void queuedRequest_keepsAModelFromGoingIdle() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1, 1, false));
        Generation running = manager.submit("m", request("a"));
        manager.submit("m", request("b"));
        running.cancel();
        awaitTrue(() -> engine.current("m").generations.size() == 2, BOUND, "waiter started");
        clock.advance(Duration.ofMinutes(5));
        manager.checkIdle();
        assertEquals(ModelState.READY, manager.status("m").state());
    }

    @Test
    void idleTimer_runsInTheBackground() throws Exception {
        manager(quietSettings().withIdleCheckInterval(Duration.ofMillis(20)), entry(dir, "m", 1, 2, false));
        manager.load("m");
        clock.advance(Duration.ofMinutes(2));
        awaitTrue(() -> manager.status("m").state() == ModelState.UNLOADED, BOUND, "idle unload by the timer");
        assertTrue(engine.current("m").closed);
    }

    @Test
    void unload_waitsForTheRunningGeneration() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1));
        Generation g = manager.submit("m", request("a"));
        Future<UnloadReport> unload = pool.submit(() -> manager.unload("m", false));
        awaitTrue(() -> manager.status("m").state() == ModelState.UNLOADING, BOUND, "unloading");
        Thread.sleep(100);
        assertFalse(unload.isDone());
        engine.current("m").generations.get(0).complete(2);
        assertEquals(2, finish(g, BOUND).completionTokens());
        UnloadReport report = unload.get(5, TimeUnit.SECONDS);
        assertEquals(new UnloadReport("m", 0), report);
        assertEquals(ModelState.UNLOADED, manager.status("m").state());
        assertTrue(engine.current("m").closed);
    }

    @Test
    void forcedUnload_cancelsRunningAndQueuedGenerations() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1));
        Generation running = manager.submit("m", request("a"));
        Generation queued = manager.submit("m", request("b"));
        UnloadReport report = manager.unload("m", true);
        assertEquals(2, report.cancelledGenerations());
        GenerationEvent.Finished runningEnd = finish(running, BOUND);
        GenerationEvent.Finished queuedEnd = finish(queued, BOUND);
        assertEquals(FinishReason.CANCELLED, runningEnd.reason());
        assertEquals(FinishReason.CANCELLED, queuedEnd.reason());
        // both say it was the unload that ended them
        assertEquals(FailureKind.UNLOADED, runningEnd.failure());
        assertEquals(FailureKind.UNLOADED, queuedEnd.failure());
        assertEquals(1, engine.current("m").generations.size());
        assertEquals(ModelState.UNLOADED, manager.status("m").state());
        assertThrows(ModelNotLoadedException.class, () -> manager.unload("m", false));
    }

    @Test
    void cleanup_unloadsIdleModels_keepsBusyAndPinnedOnes() {
        manager(quietSettings(), entry(dir, "old", 1), entry(dir, "recent", 1), entry(dir, "busy", 1),
                entry(dir, "pinned", 1, 60, true));
        use("old");
        clock.advance(Duration.ofMinutes(10));
        use("recent");
        use("pinned");
        manager.submit("busy", request("a"));
        clock.advance(Duration.ofMinutes(1));
        CleanupReport some = manager.cleanup(Duration.ofMinutes(5));
        assertEquals(List.of("old"), some.removed());
        assertEquals(List.of("recent", "busy", "pinned"), some.remaining());
        CleanupReport all = manager.cleanup(null);
        assertEquals(List.of("recent"), all.removed());
        assertEquals(List.of("busy", "pinned"), all.remaining());
    }

    // ------------------------------------------------------------ observability

    @Test
    void metricsAndStatus_followWhatHappened() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        manager.bindTo(meters);
        Generation g = manager.submit("m", request("abcd"));
        manager.submit("m", request("b"));
        assertEquals(1.0, meters.get("cerebrum.inflight").tag("model", "m").gauge().value());
        assertEquals(1.0, meters.get("cerebrum.queued").tag("model", "m").gauge().value());
        assertEquals(1.0, meters.get("cerebrum.models.loaded").gauge().value());
        clock.advance(Duration.ofSeconds(3));
        engine.current("m").generations.get(0).complete(3);
        finish(g, BOUND);
        assertEquals(3.0, meters.get("cerebrum.tokens").tags("model", "m", "kind", "completion")
                .functionCounter().count());
        assertEquals(4.0, meters.get("cerebrum.tokens").tags("model", "m", "kind", "prompt")
                .functionCounter().count());
        assertEquals(1.0, meters.get("cerebrum.loads").tag("model", "m").functionCounter().count());
        assertEquals(1, meters.get("cerebrum.time.to.first.token").tag("model", "m").timer().count());
        assertEquals(1, meters.get("cerebrum.decode.tokens.per.second").tag("model", "m").summary().count());
        assertEquals(1, meters.get("cerebrum.load.duration").tag("model", "m").timer().count());
        host.cpu = 33;
        manager.sampleHost();
        assertEquals(33.0, meters.get("cerebrum.host.cpu.percent").gauge().value());
        ModelStatus s = manager.status("m");
        assertEquals(clock.instant(), s.lastUsed());
        assertEquals(1, s.inferenceCount());
        assertEquals(4, s.promptTokens());
        assertEquals(100 * MB, s.estimateBytes());
    }

    @Test
    void close_endsQueuedAndRunningWork_andUnloadsEverything() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1));
        Generation running = manager.submit("m", request("a"));
        Generation queued = manager.submit("m", request("b"));
        manager.close();
        GenerationEvent.Finished runningEnd = finish(running, BOUND);
        GenerationEvent.Finished queuedEnd = finish(queued, BOUND);
        assertEquals(FinishReason.CANCELLED, runningEnd.reason());
        assertEquals(FinishReason.ERROR, queuedEnd.reason());
        assertEquals(FailureKind.SHUTDOWN, runningEnd.failure());
        assertEquals(FailureKind.SHUTDOWN, queuedEnd.failure());
        assertTrue(engine.current("m").closed);
        assertThrows(ModelUnavailableException.class, () -> manager.submit("m", request("a")));
    }

    /** Loads (if needed) and runs one generation to its end, then moves the clock on. */
    private void use(String model) {
        try {
            Generation g = manager.submit(model, request("a"));
            var gens = engine.current(model).generations;
            gens.get(gens.size() - 1).complete(1);
            finish(g, BOUND);
            clock.advance(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
