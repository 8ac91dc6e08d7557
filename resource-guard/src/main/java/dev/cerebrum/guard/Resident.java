package dev.cerebrum.guard;

import dev.cerebrum.engine.LoadedModel;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One registered model and what the guard knows of it: its entry, where it is in its life, its slots and
 * queue, and its counters. Each model has its own lock; no code holds two models' locks at once. The mutable
 * fields are guarded by {@link #lock}; {@link #entry} may be read without it.
 */
final class Resident {
    final String name;
    final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever the state, the slots or the queue change. */
    final Condition changed = lock.newCondition();
    final SlotQueue queue = new SlotQueue();

    volatile ModelEntry entry;
    /** For an entry broken by its file: the file as it was when it was found broken. */
    ModelFiles.Stamp brokenStamp;
    /** For an entry whose engine cannot load its architecture: the unavailable engine that could, or null. */
    String neededEngine;

    ModelState state = ModelState.UNLOADED;
    /** Why the last load failed (state FAILED). */
    String failure;
    /** Why the last worker was lost, while the model is being loaded again or until it is. */
    String lostWorker;
    LoadedModel model;
    CompletableFuture<LoadedModel> loading;
    CompletableFuture<Void> unloading;

    long estimateBytes = -1;
    long rssBytes = -1;
    Instant loadedAt;
    Instant lastUsed;
    /** Idle time counts from here: the end of the last generation, or the end of the load. */
    Instant idleSince;
    Duration loadDuration;

    final AtomicLong inferences = new AtomicLong();
    final AtomicLong promptTokens = new AtomicLong();
    final AtomicLong completionTokens = new AtomicLong();
    final AtomicLong cachedTokens = new AtomicLong();
    final AtomicLong loads = new AtomicLong();
    final AtomicLong unloads = new AtomicLong();
    final AtomicLong evictions = new AtomicLong();
    final AtomicLong queueTimeouts = new AtomicLong();

    Resident(ModelEntry entry) {
        this.name = entry.name();
        this.entry = entry;
    }

    /** Slots of the model: its spec's, or 1 for an entry that has none. */
    int parallel() {
        return switch (entry) {
            case ModelEntry.Usable u -> u.spec().parallel();
            case ModelEntry.Broken b -> b.spec().map(s -> s.parallel()).orElse(1);
        };
    }

    /** Under the lock: loaded, nothing running or waiting. */
    boolean idle() {
        return state == ModelState.READY && queue.isEmpty();
    }

    /** Under the lock: in memory or leaving it, so counted against the cap on loaded models. */
    boolean holdsMemory() {
        return state == ModelState.READY || state == ModelState.UNLOADING;
    }

    /** Under the lock: bytes an unload is expected to give back: the measured RSS, else the estimate. */
    long freedBytes() {
        return rssBytes > 0 ? rssBytes : Math.max(0, estimateBytes);
    }

    /** What the admission policy needs to know of this model, read under its lock. */
    AdmissionPolicy.ModelView view() {
        lock.lock();
        try {
            return new AdmissionPolicy.ModelView(name, holdsMemory(), idle(), entry.pinned(), idleSince,
                    freedBytes());
        } finally {
            lock.unlock();
        }
    }

    /** Takes a generation out of the queue; false when it was not waiting (a slot was being handed to it). */
    boolean leaveQueue(ManagedGeneration g) {
        lock.lock();
        try {
            boolean removed = queue.leave(g);
            if (removed) {
                changed.signalAll();
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    /** The loaded model, read under the lock; null when none. */
    LoadedModel model() {
        lock.lock();
        try {
            return model;
        } finally {
            lock.unlock();
        }
    }
}
