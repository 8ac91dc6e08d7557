package dev.cerebrum.guard;

import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The single-flight loader: one load per model that every caller shares, and one load at a time, because
 * admission decides on the RAM that is free now, so a second load must see the first. Before a load it
 * inspects the file, then makes room as the {@link AdmissionPolicy} decides: evicting idle models, or
 * refusing.
 */
final class Loader {
    private final Engines engines;
    private final Residents residents;
    private final GuardSettings settings;
    private final ModelInspector inspector;
    private final AdmissionPolicy policy;
    private final HostMonitor host;
    private final Unloader unloader;
    private final GuardMeters meters;
    private final Refusals refusals;
    private final Clock clock;
    private final ReentrantLock loadLock = new ReentrantLock(true);
    private final ExecutorService executor = Executors.newCachedThreadPool(ModelManager.daemon("cerebrum-loader"));

    Loader(Engines engines, Residents residents, GuardSettings settings, ModelInspector inspector,
           AdmissionPolicy policy, HostMonitor host, Unloader unloader, GuardMeters meters, Refusals refusals,
           Clock clock) {
        this.engines = engines;
        this.residents = residents;
        this.settings = settings;
        this.inspector = inspector;
        this.policy = policy;
        this.host = host;
        this.unloader = unloader;
        this.meters = meters;
        this.refusals = refusals;
        this.clock = clock;
    }

    /** Call with the model's lock held: starts the one load of this model that every caller shares. */
    CompletableFuture<LoadedModel> start(Resident r) {
        CompletableFuture<LoadedModel> future = new CompletableFuture<>();
        r.state = ModelState.LOADING;
        r.failure = null;
        r.loading = future;
        try {
            executor.execute(() -> run(r, future));
        } catch (RejectedExecutionException e) {
            r.state = ModelState.UNLOADED;
            r.loading = null;
            throw new ModelUnavailableException(r.name, Residents.SHUTTING_DOWN);
        }
        return future;
    }

    /**
     * Waits for a load or an unload until the deadline.
     *
     * @throws LoadTimeoutException      when the deadline passed first
     * @throws OverloadedException       when the load was refused (counted once for each caller refused)
     * @throws ModelUnavailableException when the load failed
     */
    void await(Resident r, CompletableFuture<?> future, long deadline) {
        long left = deadline - System.nanoTime();
        try {
            if (left <= 0) {
                throw new TimeoutException();
            }
            future.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new LoadTimeoutException(r.name, settings.loadTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailableException(r.name, "interrupted while waiting for the model to load");
        } catch (ExecutionException e) {
            throw switch (e.getCause()) {
                case OverloadedException o ->
                        refusals.count(o.refusal(), new OverloadedException(o.refusal(), o.reason(), o.retryAfter()));
                case ModelUnavailableException u -> new ModelUnavailableException(u.model(), u.reason());
                default -> new ModelUnavailableException(r.name, "load failed");
            };
        }
    }

    private void run(Resident r, CompletableFuture<LoadedModel> future) {
        boolean locked = false;
        try {
            loadLock.lockInterruptibly();
            locked = true;
            if (residents.closed()) {
                throw new ModelUnavailableException(r.name, Residents.SHUTTING_DOWN);
            }
            ModelInspector.Inspected inspected = inspector.inspect(r);
            makeRoom(r, inspected.estimateBytes());
            future.complete(load(r, inspected.spec()));
        } catch (OverloadedException e) {
            settle(r, ModelState.UNLOADED, null);
            future.completeExceptionally(e);
        } catch (ModelUnavailableException e) {
            settle(r, r.entry.available() ? ModelState.FAILED : ModelState.UNLOADED, e.reason());
            future.completeExceptionally(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            settle(r, ModelState.UNLOADED, null);
            future.completeExceptionally(new ModelUnavailableException(r.name, Residents.SHUTTING_DOWN));
        } catch (RuntimeException e) {
            String reason = "load failed: " + Safe.message(e.getMessage());
            GuardLog.warning(r.name, "load failed", e);
            settle(r, ModelState.FAILED, reason);
            future.completeExceptionally(new ModelUnavailableException(r.name, reason));
        } finally {
            if (locked) {
                loadLock.unlock();
            }
            if (!future.isDone()) {
                GuardLog.warning(r.name, "load failed without an exception it could report");
                settle(r, ModelState.FAILED, "load failed");
                future.completeExceptionally(new ModelUnavailableException(r.name, "load failed"));
            }
        }
    }

    /** Loads the model and makes it ready; a model loaded while the guard closed is unloaded at once. */
    private LoadedModel load(Resident r, ModelSpec spec) {
        long start = System.nanoTime();
        LoadedModel model = engines.engineFor(r.entry).load(spec);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        long rss = residentBytes(r.name, model);
        boolean keep;
        r.lock.lock();
        try {
            keep = !residents.closed();
            if (keep) {
                Instant now = clock.instant();
                r.model = model;
                r.state = ModelState.READY;
                r.failure = null;
                r.lostWorker = null;
                r.loading = null;
                r.loadedAt = now;
                r.idleSince = now;
                r.loadDuration = took;
                r.rssBytes = rss;
                r.loads.incrementAndGet();
                r.changed.signalAll();
            }
        } finally {
            r.lock.unlock();
        }
        if (!keep) {
            Unloader.close(r.name, model);
            throw new ModelUnavailableException(r.name, Residents.SHUTTING_DOWN);
        }
        meters.recordLoad(r.name, took);
        return model;
    }

    private void settle(Resident r, ModelState state, String failure) {
        r.lock.lock();
        try {
            if (r.state == ModelState.LOADING) {
                r.state = state;
                r.failure = state == ModelState.FAILED ? failure : null;
                r.loading = null;
                r.changed.signalAll();
            }
        } finally {
            r.lock.unlock();
        }
    }

    /**
     * Makes room for a load as the policy decides, evicting the idle models it names and deciding again with
     * what they gave back, until it admits or refuses.
     */
    private void makeRoom(Resident r, long estimate) throws InterruptedException {
        awaitUnloads(r);
        long before = host.availableRamNow();
        long credited = 0;
        // Each round evicts at least one model or ends; more rounds than models means evictions keep failing.
        for (int round = 0; round <= residents.all().size(); round++) {
            long available = round == 0 ? before : Math.max(host.availableRamNow(), before + credited);
            AdmissionPolicy.Decision decision = policy.load(r.name, estimate, available, host.limitsNow(), others(r));
            switch (decision) {
                case AdmissionPolicy.Decision.Admit a -> {
                    return;
                }
                case AdmissionPolicy.Decision.Refuse refuse ->
                        throw new OverloadedException(refuse.refusal(), refuse.reason(), settings.retryAfter());
                case AdmissionPolicy.Decision.Evict evict -> {
                    for (String victim : evict.victims()) {
                        // A worker's memory may not show as available the moment it exits: count what it held.
                        credited += unloader.evict(residents.get(victim));
                    }
                }
            }
        }
        throw new OverloadedException(Refusal.MEMORY, GuardReasons.memory(r.name, Math.max(0, estimate),
                before + credited, settings.minFreeRamBytes(), true, host.limitsNow()), settings.retryAfter());
    }

    private List<AdmissionPolicy.ModelView> others(Resident r) {
        List<AdmissionPolicy.ModelView> views = new ArrayList<>();
        for (Resident o : residents.all()) {
            if (o != r) {
                views.add(o.view());
            }
        }
        return views;
    }

    /** Waits, at most the load timeout, for other models being unloaded: they still count as loaded. */
    private void awaitUnloads(Resident r) throws InterruptedException {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (Resident o : residents.all()) {
            if (o == r) {
                continue;
            }
            o.lock.lock();
            try {
                if (o.state == ModelState.UNLOADING && o.unloading != null) {
                    pending.add(o.unloading);
                }
            } finally {
                o.lock.unlock();
            }
        }
        long deadline = System.nanoTime() + settings.loadTimeout().toNanos();
        for (CompletableFuture<Void> f : pending) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // Still counted as loaded: the policy decides with that.
                GuardLog.debug(r.name, "an unload it waited for did not finish in time", e);
            }
        }
    }

    /** Stops taking loads, and waits at most {@code wait} for the one that runs. */
    void shutdown(Duration wait) {
        executor.shutdown();
        try {
            // A load that is running finishes and, seeing the guard closed, unloads its model.
            executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long residentBytes(String name, LoadedModel model) {
        try {
            return model.residentBytes();
        } catch (RuntimeException e) {
            GuardLog.debug(name, "the resident memory of the new worker could not be read", e);
            return -1;
        }
    }
}
