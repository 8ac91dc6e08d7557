package dev.cerebrum.guard;

import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.cerebrum.guard.TestSupport.awaitTrue;
import static dev.cerebrum.guard.TestSupport.entry;
import static dev.cerebrum.guard.TestSupport.finish;
import static dev.cerebrum.guard.TestSupport.quietSettings;
import static dev.cerebrum.guard.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model's worker that is lost (crashed, killed, or ended by a watchdog: the SPI shows it as
 * {@code isAlive() == false} and an error end of what ran) on a scripted engine. The real-process
 * counterpart is the server's {@code WorkerFaultsIT}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkerLossTest {
    private static final Duration BOUND = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final FakeEngine engine = new FakeEngine();
    private final TestSupport.TestHost host = new TestSupport.TestHost(engine::residentBytes);
    private ModelManager manager;

    private ModelManager manager(GuardSettings settings, ModelEntry... entries) {
        manager = ModelManager.create(engine, ModelRegistry.of(List.of(entries)), settings, host,
                new TestSupport.MutableClock());
        return manager;
    }

    @AfterEach
    void tearDown() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void workerLost_whileRequestsWait_theyRunOnAFreshWorker() throws Exception {
        // given one slot busy and two requests waiting for it
        manager(quietSettings(), entry(dir, "m", 1));
        Generation running = manager.submit("m", request("a"));
        Generation first = manager.submit("m", request("b"));
        Generation second = manager.submit("m", request("c"));
        FakeEngine.FakeModel lost = engine.current("m");
        engine.loadGate = new CountDownLatch(1);

        // when its worker is killed
        lost.die("model worker for 'm' exited unexpectedly (killed by signal 9)");

        // then the running one ends with the engine's error, as a lost worker
        GenerationEvent.Finished end = finish(running, BOUND);
        assertEquals(FinishReason.ERROR, end.reason());
        assertEquals(FailureKind.WORKER_LOST, end.failure());
        // and while the model loads again its state says why, and the waiters are still queued
        awaitTrue(() -> engine.loads.get() == 2, BOUND, "a second load");
        ModelStatus reloading = manager.status("m");
        assertEquals(ModelState.LOADING, reloading.state());
        assertEquals("model worker for 'm' exited unexpectedly (killed by signal 9); loading it again",
                reloading.reason());
        assertEquals(2, reloading.queued());
        assertEquals(0, reloading.inFlight());
        assertNull(first.poll(Duration.ofMillis(50)));
        engine.loadGate.countDown();

        // then the waiters run, in order, on the new worker
        awaitTrue(() -> engine.current("m") != lost && engine.current("m").generations.size() == 1, BOUND,
                "the first waiter runs on the new worker");
        FakeEngine.FakeModel fresh = engine.current("m");
        assertNotSame(lost, fresh);
        fresh.generations.get(0).complete(2);
        GenerationEvent.Finished firstEnd = finish(first, BOUND);
        assertEquals(FinishReason.STOP, firstEnd.reason());
        assertEquals(FailureKind.NONE, firstEnd.failure());
        assertEquals(2, firstEnd.completionTokens());
        awaitTrue(() -> fresh.generations.size() == 2, BOUND, "the second waiter runs");
        fresh.generations.get(1).complete(1);
        assertEquals(FinishReason.STOP, finish(second, BOUND).reason());
        assertTrue(lost.closed, "the lost model was closed");
        ModelStatus ready = manager.status("m");
        assertEquals(ModelState.READY, ready.state());
        assertNull(ready.reason());
        assertEquals(0, ready.queued());
    }

    @Test
    void workerLost_andTheReloadFails_waitersEndAtOnceAsModelUnavailable() throws Exception {
        // given a request waiting for the only slot
        manager(quietSettings(), entry(dir, "m", 1));
        Generation running = manager.submit("m", request("a"));
        Generation waiting = manager.submit("m", request("b"));
        engine.failNextLoads.set(1);

        // when the worker is lost and loading it again fails
        engine.current("m").die("model worker for 'm' exited unexpectedly (exit code 134)");
        assertEquals(FailureKind.WORKER_LOST, finish(running, BOUND).failure());

        // then the waiter ends at once, well before its queue timeout, without having run
        GenerationEvent.Finished end = finish(waiting, BOUND);
        assertEquals(FinishReason.ERROR, end.reason());
        assertEquals(FailureKind.MODEL_UNAVAILABLE, end.failure());
        assertTrue(end.error().contains("loading it again failed: load failed"), end.error());
        assertFalse(end.error().contains(dir.toString()), end.error());
        assertFalse(waiting.started());
        ModelStatus failed = manager.status("m");
        assertEquals(ModelState.FAILED, failed.state());
        assertEquals(0, failed.queued());
        // and the next request loads it again
        assertNotNull(manager.submit("m", request("c")));
        assertEquals(3, engine.loads.get());
    }

    @Test
    void workerLostWhileIdle_showsFailedWithTheReason_untilTheNextRequestLoadsItAgain() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1));
        manager.load("m");
        engine.current("m").alive = false;

        ModelStatus lost = manager.status("m");
        assertEquals(ModelState.FAILED, lost.state());
        assertEquals("the model's worker stopped", lost.reason());

        Generation g = manager.submit("m", request("a"));
        engine.current("m").generations.get(0).complete(1);
        assertEquals(FinishReason.STOP, finish(g, BOUND).reason());
        assertEquals(2, engine.loads.get());
        assertEquals(ModelState.READY, manager.status("m").state());
    }

    @Test
    void idleSweep_replacesADeadWorker_soTheStateSaysSo() {
        manager(quietSettings(), entry(dir, "m", 1));
        manager.load("m");
        FakeEngine.FakeModel lost = engine.current("m");
        lost.alive = false;

        manager.checkIdle();

        assertTrue(lost.closed);
        ModelStatus s = manager.status("m");
        assertEquals(ModelState.FAILED, s.state());
        assertEquals("the model's worker stopped", s.reason());
        assertEquals(1, engine.loads.get());
    }

    @Test
    void aFreedSlotOnADeadWorker_isNotHandedToTheWaiter_whichRunsOnTheNextOne() throws Exception {
        // given a waiter, and a worker that died without ending what runs (its end comes later)
        manager(quietSettings(), entry(dir, "m", 1));
        Generation running = manager.submit("m", request("a"));
        Generation waiting = manager.submit("m", request("b"));
        FakeEngine.FakeModel lost = engine.current("m");
        lost.alive = false;

        // when the running one is cancelled, its slot goes to the waiter on the dead model
        running.cancel();

        // then the waiter is not failed: it runs on a new worker
        awaitTrue(() -> engine.current("m") != lost && engine.current("m").generations.size() == 1, BOUND,
                "the waiter runs on a new worker");
        engine.current("m").generations.get(0).complete(1);
        GenerationEvent.Finished end = finish(waiting, BOUND);
        assertEquals(FinishReason.STOP, end.reason());
        assertEquals(2, engine.loads.get());
    }

    @Test
    void aWaiterPromotedOntoAWorkerThatDiesAsItStarts_waitsAgainAndRunsOnTheNextOne() throws Exception {
        // given a waiter, and a worker that dies the moment the waiter is handed to it
        manager(quietSettings(), entry(dir, "m", 1));
        Generation running = manager.submit("m", request("a"));
        Generation waiting = manager.submit("m", request("b"));
        FakeEngine.FakeModel lost = engine.current("m");
        lost.dieOnGenerate = true;

        // when the running one ends and its slot goes to the waiter
        lost.generations.get(0).complete(1);
        assertEquals(FinishReason.STOP, finish(running, BOUND).reason());

        // then the waiter is not failed: it waits again and runs on a new worker
        awaitTrue(() -> engine.current("m") != lost && engine.current("m").generations.size() == 1, BOUND,
                "the waiter runs on a new worker");
        engine.current("m").generations.get(0).complete(1);
        assertEquals(FinishReason.STOP, finish(waiting, BOUND).reason());
        assertEquals(2, engine.loads.get());
        assertTrue(lost.closed);
    }

    @Test
    void aRequestThatMeetsAWorkerDyingAsItStarts_isServedByANewOne() throws Exception {
        manager(quietSettings(), entry(dir, "m", 1));
        manager.load("m");
        engine.current("m").dieOnGenerate = true;

        Generation g = manager.submit("m", request("a"));

        assertEquals(2, engine.loads.get());
        engine.current("m").generations.get(0).complete(1);
        assertEquals(FinishReason.STOP, finish(g, BOUND).reason());
    }
}
