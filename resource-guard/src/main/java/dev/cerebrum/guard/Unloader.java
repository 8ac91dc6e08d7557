package dev.cerebrum.guard;

import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.LoadedModel;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Takes models out of memory: evictions and idle unloads (only of a model that is still idle when it comes
 * to it), the admin's unload (waiting for running work, or cancelling it), and cleanup.
 */
final class Unloader {
    /** Why an idle model is unloaded. */
    enum Why { EVICTION, IDLE, CLEANUP }

    private final Residents residents;
    private final GuardSettings settings;
    private final Clock clock;

    Unloader(Residents residents, GuardSettings settings, Clock clock) {
        this.residents = residents;
        this.settings = settings;
        this.clock = clock;
    }

    /** Evicts an idle model to make room; returns the bytes it is expected to give back, 0 when it was busy. */
    long evict(Resident r) {
        long freed;
        r.lock.lock();
        try {
            freed = r.freedBytes();
        } finally {
            r.lock.unlock();
        }
        return unloadIdle(r, Why.EVICTION) ? freed : 0;
    }

    /** Unloads a model only if it is still idle (and, for eviction and cleanup, not pinned). */
    boolean unloadIdle(Resident r, Why why) {
        LoadedModel model;
        r.lock.lock();
        try {
            if (!r.idle() || (why != Why.IDLE && r.entry.pinned())) {
                return false;
            }
            model = begin(r);
        } finally {
            r.lock.unlock();
        }
        close(r.name, model);
        finish(r, why == Why.EVICTION);
        return true;
    }

    /**
     * Unloads a model. Without force it waits, at most the queue timeout, for its running and queued
     * generations, then cancels what is left; with force it cancels them at once. Cancelled generations end
     * with {@link FailureKind#UNLOADED}.
     *
     * @throws ModelNotLoadedException when it is not loaded
     */
    UnloadReport unload(Resident r, boolean force) {
        List<ManagedGeneration> toCancel = new ArrayList<>();
        r.lock.lock();
        try {
            if (r.state != ModelState.READY) {
                throw new ModelNotLoadedException(r.name);
            }
            begin(r);
            if (!force) {
                long left = settings.queueTimeout().toNanos();
                while (!r.queue.isEmpty() && left > 0) {
                    left = r.changed.awaitNanos(left);
                }
            }
            if (!r.queue.isEmpty()) {
                r.queue.holdPromotions(true);
                toCancel.addAll(r.queue.all());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r.queue.holdPromotions(true);
            toCancel.addAll(r.queue.all());
        } finally {
            r.lock.unlock();
        }
        int cancelled = 0;
        for (ManagedGeneration g : toCancel) {
            if (g.queued()) {
                if (r.leaveQueue(g) && g.end(FinishReason.CANCELLED, FailureKind.UNLOADED, null)) {
                    cancelled++;
                }
            } else {
                g.cancel(FailureKind.UNLOADED);
                cancelled++;
            }
        }
        close(r.name, r.model());
        finish(r, false);
        return new UnloadReport(r.name, cancelled);
    }

    /**
     * Unloads every idle model that is not pinned, or only those idle at least {@code idleAtLeast}; returns
     * the names of those unloaded.
     */
    List<String> cleanup(Duration idleAtLeast) {
        Instant now = clock.instant();
        List<Resident> candidates = new ArrayList<>();
        for (Resident r : residents.all()) {
            r.lock.lock();
            try {
                if (r.idle() && !r.entry.pinned() && (idleAtLeast == null
                        || Duration.between(r.idleSince, now).compareTo(idleAtLeast) >= 0)) {
                    candidates.add(r);
                }
            } finally {
                r.lock.unlock();
            }
        }
        List<String> removed = new ArrayList<>();
        for (Resident r : candidates) {
            if (unloadIdle(r, Why.CLEANUP)) {
                removed.add(r.name);
            }
        }
        return removed;
    }

    /** Under the lock: the model is leaving memory; returns it, to be closed after the lock is released. */
    private static LoadedModel begin(Resident r) {
        r.state = ModelState.UNLOADING;
        r.unloading = new CompletableFuture<>();
        r.changed.signalAll();
        return r.model;
    }

    private static void finish(Resident r, boolean eviction) {
        CompletableFuture<Void> done;
        r.lock.lock();
        try {
            r.state = ModelState.UNLOADED;
            r.model = null;
            r.loadedAt = null;
            r.rssBytes = -1;
            r.queue.holdPromotions(false);
            r.unloads.incrementAndGet();
            if (eviction) {
                r.evictions.incrementAndGet();
            }
            done = r.unloading;
            r.unloading = null;
            r.changed.signalAll();
        } finally {
            r.lock.unlock();
        }
        if (done != null) {
            done.complete(null);
        }
    }

    /** Closes a model; a failure is logged, since the model is gone either way and its memory is the engine's. */
    static void close(String name, LoadedModel model) {
        if (model == null) {
            return;
        }
        try {
            model.close();
        } catch (RuntimeException e) {
            GuardLog.warning(name, "closing the model failed; the engine frees what it held", e);
        }
    }
}
