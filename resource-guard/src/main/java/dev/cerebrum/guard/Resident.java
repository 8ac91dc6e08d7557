package dev.cerebrum.guard;

import dev.cerebrum.engine.LoadedModel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** One registered model and what the manager knows of it. Mutable fields are guarded by the manager's lock. */
final class Resident {
    final String name;
    volatile ModelEntry entry;

    ModelState state = ModelState.UNLOADED;
    String failure;
    LoadedModel model;
    CompletableFuture<LoadedModel> loading;
    CompletableFuture<Void> unloading;
    /** Set by a forced unload: slots freed while it runs are not handed to waiters. */
    boolean noPromotions;

    int inFlight;
    final ArrayDeque<ManagedGeneration> waiters = new ArrayDeque<>();
    final Set<ManagedGeneration> running = new LinkedHashSet<>();

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
    final AtomicLong loads = new AtomicLong();
    final AtomicLong unloads = new AtomicLong();
    final AtomicLong evictions = new AtomicLong();
    final AtomicLong queueTimeouts = new AtomicLong();

    Resident(ModelEntry entry) {
        this.name = entry.name();
        this.entry = entry;
    }

    int parallel() {
        return entry.spec() == null ? 1 : entry.spec().parallel();
    }

    /** Loaded, nothing running or waiting. */
    boolean idle() {
        return state == ModelState.READY && inFlight == 0 && waiters.isEmpty();
    }

    /** Bytes an unload is expected to give back: the measured RSS, else the estimate. */
    long freedBytes() {
        return rssBytes > 0 ? rssBytes : Math.max(0, estimateBytes);
    }
}
