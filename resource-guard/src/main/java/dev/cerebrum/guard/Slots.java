package dev.cerebrum.guard;

import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.LoadedModel;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Hands slots to generations and takes them back: a generation that ends gives its slot to the next in the
 * queue; one that waits too long leaves the queue with a timeout. When a model's worker is lost (it crashed,
 * was killed, or a watchdog ended it), the generations waiting for a slot stay queued while the model loads
 * again on a fresh worker, then run there; if that load fails they end at once, never having run.
 */
final class Slots {
    /** The error of a generation that waited longer than the queue timeout. */
    static final String QUEUE_TIMEOUT_MESSAGE = "timed out waiting for a free slot";
    /** The reason of a worker that is gone when the engine said nothing more. */
    static final String WORKER_STOPPED = "the model's worker stopped";

    private final Residents residents;
    private final GuardSettings settings;
    private final ScheduledExecutorService scheduler;
    private final GuardMeters meters;
    private final Loader loader;
    private final Clock clock;

    Slots(Residents residents, GuardSettings settings, ScheduledExecutorService scheduler, GuardMeters meters,
          Loader loader, Clock clock) {
        this.residents = residents;
        this.settings = settings;
        this.scheduler = scheduler;
        this.meters = meters;
        this.loader = loader;
        this.clock = clock;
    }

    /** Puts a generation in the queue with its queue timeout. Call with the model's lock held. */
    void enqueue(ManagedGeneration g) {
        g.resident.queue.enqueue(g);
        g.timeout(scheduler.schedule(() -> expire(g), settings.queueTimeout().toNanos(), TimeUnit.NANOSECONDS));
    }

    /**
     * Starts the generation's deadline ({@link GuardSettings#generationTimeout()}, none when zero): when it
     * passes, the generation is cancelled wherever it is and ends with {@link FailureKind#DEADLINE}.
     */
    void startDeadline(ManagedGeneration g) {
        long nanos = settings.generationTimeout().toNanos();
        if (nanos > 0) {
            g.deadline(scheduler.schedule(() -> g.cancel(FailureKind.DEADLINE), nanos, TimeUnit.NANOSECONDS));
        }
    }

    /** The queue timeout of a waiting generation ran out. */
    void expire(ManagedGeneration g) {
        if (g.resident.leaveQueue(g)
                && g.end(FinishReason.ERROR, FailureKind.QUEUE_TIMEOUT, QUEUE_TIMEOUT_MESSAGE)) {
            g.resident.queueTimeouts.incrementAndGet();
        }
    }

    /**
     * A generation gave its slot back. Records what it did, and hands the slot to the next waiter; when the
     * worker it ran on is gone, the model is loaded again for those who wait.
     *
     * @param finished its final event, null when nothing is known of the result
     * @param started  true when it reached the engine
     * @param ranOn    the model it ran on, null when it never got one
     */
    void finished(ManagedGeneration g, GenerationEvent.Finished finished, boolean started, LoadedModel ranOn) {
        Resident r = g.resident;
        List<ManagedGeneration> promoted = List.of();
        boolean lost = false;
        LoadedModel current;
        r.lock.lock();
        try {
            r.queue.release(g);
            if (started) {
                Instant now = clock.instant();
                r.lastUsed = now;
                r.idleSince = now;
                r.inferences.incrementAndGet();
                if (finished != null) {
                    r.promptTokens.addAndGet(finished.promptTokens());
                    r.completionTokens.addAndGet(finished.completionTokens());
                    r.cachedTokens.addAndGet(finished.timings().cachedTokens());
                }
            }
            current = r.model;
            lost = ranOn != null && ranOn == current && r.state == ModelState.READY && !alive(current);
            if (!lost && mayPromote(r)) {
                promoted = r.queue.promote(r.parallel());
            }
            r.changed.signalAll();
        } finally {
            r.lock.unlock();
        }
        if (started && finished != null) {
            meters.recordGeneration(r.name, finished);
        }
        if (lost) {
            workerLost(r, current, finished == null ? null : finished.error());
        }
        promoteAll(r, promoted, current);
    }

    /** When the model is loaded on a worker that is gone, replaces it: see {@link #workerLost}. */
    void replaceIfDead(Resident r) {
        LoadedModel m;
        r.lock.lock();
        try {
            m = r.state == ModelState.READY ? r.model : null;
        } finally {
            r.lock.unlock();
        }
        if (m != null && !alive(m)) {
            workerLost(r, m, null);
        }
    }

    /**
     * The worker of {@code dead} is gone. The model is dropped; its running generations keep their ends
     * (the engine fails them) but no longer hold slots. If generations wait for a slot, the model is loaded
     * again at once and they run on the new worker; otherwise it is {@link ModelState#FAILED} until the next
     * request loads it again.
     */
    void workerLost(Resident r, LoadedModel dead, String engineMessage) {
        String why = engineMessage == null || engineMessage.isBlank() ? WORKER_STOPPED : Safe.message(engineMessage);
        CompletableFuture<LoadedModel> reload = null;
        int waiting;
        r.lock.lock();
        try {
            if (r.model != dead || r.state != ModelState.READY) {
                return;
            }
            r.model = null;
            r.loadedAt = null;
            r.rssBytes = -1;
            r.lostWorker = why;
            r.queue.forgetRunning();
            waiting = r.queue.waiting();
            if (waiting > 0 && !residents.closed()) {
                reload = loader.start(r);
            } else {
                r.state = ModelState.FAILED;
                r.failure = why;
            }
            r.changed.signalAll();
        } finally {
            r.lock.unlock();
        }
        GuardLog.warning(r.name, why + (reload != null ? "; loading it again for " + waiting + " waiting requests"
                : "; the next request loads it again"));
        Unloader.close(r.name, dead);
        if (reload != null) {
            reload.whenComplete((model, failure) -> {
                if (failure == null) {
                    promoteWaiting(r);
                } else {
                    failWaiting(r, failure);
                }
            });
        }
    }

    /** After a load: hands free slots to the generations that waited through it. */
    private void promoteWaiting(Resident r) {
        List<ManagedGeneration> promoted = List.of();
        LoadedModel current;
        r.lock.lock();
        try {
            current = r.model;
            if (mayPromote(r)) {
                promoted = r.queue.promote(r.parallel());
            }
        } finally {
            r.lock.unlock();
        }
        promoteAll(r, promoted, current);
    }

    /** The model could not be loaded again: what waited for it ends at once, never having run. */
    private void failWaiting(Resident r, Throwable failure) {
        List<ManagedGeneration> waiting;
        r.lock.lock();
        try {
            waiting = r.queue.drainWaiters();
            r.changed.signalAll();
        } finally {
            r.lock.unlock();
        }
        String reason = switch (failure) {
            case OverloadedException o -> o.reason();
            case ModelUnavailableException u -> u.reason();
            default -> "load failed";
        };
        String message = "model '" + r.name + "' is unavailable: its worker stopped and loading it again failed: "
                + reason;
        for (ManagedGeneration g : waiting) {
            g.end(FinishReason.ERROR, FailureKind.MODEL_UNAVAILABLE, message);
        }
    }

    private void promoteAll(Resident r, List<ManagedGeneration> promoted, LoadedModel model) {
        for (ManagedGeneration next : promoted) {
            if (!next.promote(model)) {
                requeue(r, next);
                workerLost(r, model, null);
            }
        }
    }

    /** A promoted generation whose worker was gone before it started waits again, first in line. */
    private void requeue(Resident r, ManagedGeneration g) {
        r.lock.lock();
        try {
            r.queue.release(g);
            r.queue.requeue(g);
        } finally {
            r.lock.unlock();
        }
        if (g.timeoutPassed()) {
            expire(g);
        }
    }

    /** Under the lock: whether freed slots go to waiters now. */
    private boolean mayPromote(Resident r) {
        return !residents.closed() && r.model != null
                && (r.state == ModelState.READY || r.state == ModelState.UNLOADING);
    }

    /** The engine's word on whether a model can still run; a model that cannot even say is gone. */
    static boolean alive(LoadedModel model) {
        if (model == null) {
            return false;
        }
        try {
            return model.isAlive();
        } catch (RuntimeException e) {
            GuardLog.debug(model.spec().name(), "the model could not say whether it is alive; it counts as gone", e);
            return false;
        }
    }
}
