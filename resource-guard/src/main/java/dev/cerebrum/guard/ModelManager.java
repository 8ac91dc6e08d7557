package dev.cerebrum.guard;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.EngineException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.UnknownModelException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Keeps registered models resident on demand and protects the host: single-flight loads, bounded
 * per-model queues, idle unload, memory-aware admission with LRU eviction, a cap on loaded models, and
 * the CPU rule. Thread-safe; no method blocks longer than its documented bound.
 */
public final class ModelManager implements AutoCloseable, MeterBinder {
    /** The error of a generation that waited longer than the queue timeout. */
    public static final String QUEUE_TIMEOUT_MESSAGE = "timed out waiting for a free slot";
    /** Refusal kind: the model's queue was full. */
    public static final String QUEUE_FULL = "queue_full";

    private static final List<String> REFUSAL_KINDS =
            List.of(OverloadedException.CPU, OverloadedException.MEMORY, QUEUE_FULL, OverloadedException.MAX_MODELS);

    private final InferenceEngine engine;
    private final GuardSettings settings;
    private final HostProbe probe;
    private final Clock clock;
    private final Map<String, Resident> residents;
    private final Map<String, AtomicLong> refusals = new LinkedHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // One load at a time: admission decides on the RAM that is free now, so a second load must see the first.
    private final ReentrantLock loadLock = new ReentrantLock(true);
    private final ScheduledExecutorService scheduler;
    private final ExecutorService loader;
    private final CopyOnWriteArrayList<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private volatile HostSample latest;
    private volatile boolean closed;

    private ModelManager(InferenceEngine engine, ModelRegistry registry, GuardSettings settings, HostProbe probe,
                         Clock clock) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.clock = Objects.requireNonNull(clock, "clock");
        Map<String, Resident> map = new LinkedHashMap<>();
        for (ModelEntry entry : registry.entries()) {
            map.putIfAbsent(entry.name(), new Resident(entry));
        }
        this.residents = java.util.Collections.unmodifiableMap(map);
        REFUSAL_KINDS.forEach(kind -> refusals.put(kind, new AtomicLong()));
        this.latest = readProbe(new HostSample(0, 0, 0));
        this.scheduler = Executors.newScheduledThreadPool(2, daemon("cerebrum-guard"));
        this.loader = Executors.newCachedThreadPool(daemon("cerebrum-loader"));
    }

    /** A manager that reads the host with OSHI. */
    public static ModelManager create(InferenceEngine engine, ModelRegistry registry, GuardSettings settings) {
        return create(engine, registry, settings, HostProbe.oshi(settings.cpuWindow()));
    }

    /** A manager that reads the host with the given probe. */
    public static ModelManager create(InferenceEngine engine, ModelRegistry registry, GuardSettings settings,
                                      HostProbe probe) {
        return create(engine, registry, settings, probe, Clock.systemUTC());
    }

    /** Tests pass a clock to move idle time forward. */
    static ModelManager create(InferenceEngine engine, ModelRegistry registry, GuardSettings settings,
                               HostProbe probe, Clock clock) {
        ModelManager manager = new ModelManager(engine, registry, settings, probe, clock);
        manager.inspectAll();
        manager.start();
        return manager;
    }

    private void start() {
        long sample = settings.cpuSampleInterval().toNanos();
        scheduler.scheduleWithFixedDelay(this::sampleHost, sample, sample, TimeUnit.NANOSECONDS);
        long idle = settings.idleCheckInterval().toNanos();
        scheduler.scheduleWithFixedDelay(this::checkIdle, idle, idle, TimeUnit.NANOSECONDS);
    }

    /** Finds files that are not usable models before anyone asks for them, and estimates their RAM. */
    private void inspectAll() {
        for (Resident r : residents.values()) {
            if (r.entry.available()) {
                try {
                    inspect(r);
                } catch (ModelUnavailableException e) {
                    // already recorded on the entry
                }
            }
        }
    }

    // ---------------------------------------------------------------- generation

    /**
     * Admits a generation: loads the model if needed (waiting at most the load timeout), applies the
     * CPU rule when the request would start new work, and starts it on a free slot or queues it.
     *
     * @throws UnknownModelException     when no such model is registered
     * @throws ModelUnavailableException when the entry is broken or its load failed
     * @throws LoadTimeoutException      when the load took longer than the load timeout
     * @throws OverloadedException       when CPU, RAM or the model cap refuse new work
     * @throws QueueFullException        when every slot is busy and the queue is full
     * @throws ContextOverflowException  when the prompt does not fit a slot
     */
    public Generation submit(String model, GenerationRequest request) {
        Objects.requireNonNull(request, "request");
        Resident r = resident(model);
        long deadline = System.nanoTime() + settings.loadTimeout().toNanos();
        boolean admitted = false;
        boolean promptChecked = false;
        while (true) {
            CompletableFuture<?> wait = null;
            ManagedGeneration startNow = null;
            LoadedModel loaded = null;
            Runnable cleanup = null;
            lock.lock();
            try {
                ensureOpen(r.name);
                requireAvailable(r);
                cleanup = detachIfDead(r);
                switch (r.state) {
                    case READY -> {
                        loaded = r.model;
                        if (r.inFlight < r.parallel() && r.waiters.isEmpty()) {
                            if (!admitted) {
                                checkCpu();
                                admitted = true;
                            }
                            startNow = new ManagedGeneration(this, r, request, false);
                            r.inFlight++;
                            r.running.add(startNow);
                        } else if (r.waiters.size() >= settings.queueSize()) {
                            throw refused(new QueueFullException(r.name, settings.retryAfter()), QUEUE_FULL);
                        } else if (promptChecked) {
                            // Waiting for a busy slot adds no load, so the CPU rule does not apply here.
                            ManagedGeneration queued = new ManagedGeneration(this, r, request, true);
                            r.waiters.add(queued);
                            queued.timeout(scheduler.schedule(() -> expire(queued),
                                    settings.queueTimeout().toNanos(), TimeUnit.NANOSECONDS));
                            return queued;
                        }
                    }
                    case LOADING, UNLOADED, FAILED, UNLOADING -> {
                        if (!admitted) {
                            checkCpu();
                            admitted = true;
                        }
                        wait = switch (r.state) {
                            case LOADING -> r.loading;
                            case UNLOADING -> r.unloading;
                            default -> startLoad(r);
                        };
                    }
                }
            } finally {
                lock.unlock();
                if (cleanup != null) {
                    cleanup.run();
                }
            }
            if (startNow != null) {
                try {
                    startNow.startNow(loaded);
                } catch (RuntimeException e) {
                    startNow.abandon();
                    throw e;
                }
                return startNow;
            }
            if (wait != null) {
                await(r, wait, deadline);
            } else {
                // All slots are busy: refuse a prompt that can never fit before it waits in the queue.
                checkPrompt(loaded, request);
                promptChecked = true;
            }
        }
    }

    private static void checkPrompt(LoadedModel loaded, GenerationRequest request) {
        int tokens;
        try {
            tokens = loaded.countTokens(request.prompt());
        } catch (InvalidRequestException e) {
            throw e;
        } catch (RuntimeException e) {
            // The model went away meanwhile; the next round decides what happens.
            return;
        }
        int context = loaded.spec().slotContext();
        if (tokens >= context) {
            throw new ContextOverflowException(tokens, context);
        }
    }

    /** Called by a generation that left the queue; false when a slot was already being handed to it. */
    boolean leaveQueue(ManagedGeneration g) {
        lock.lock();
        try {
            boolean removed = g.resident.waiters.remove(g);
            if (removed) {
                changed.signalAll();
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    private void expire(ManagedGeneration g) {
        if (leaveQueue(g) && g.end(FinishReason.ERROR, QUEUE_TIMEOUT_MESSAGE)) {
            g.resident.queueTimeouts.incrementAndGet();
        }
    }

    /** A generation gave its slot back. Records what it did and hands the slot to the next waiter. */
    void finished(ManagedGeneration g, GenerationEvent.Finished finished, boolean started) {
        Resident r = g.resident;
        List<ManagedGeneration> promoted = new ArrayList<>();
        LoadedModel model;
        lock.lock();
        try {
            if (r.running.remove(g)) {
                r.inFlight--;
            }
            if (started) {
                Instant now = clock.instant();
                r.lastUsed = now;
                r.idleSince = now;
                r.inferences.incrementAndGet();
                if (finished != null) {
                    r.promptTokens.addAndGet(finished.promptTokens());
                    r.completionTokens.addAndGet(finished.completionTokens());
                }
            }
            boolean canPromote = !closed && r.model != null
                    && (r.state == ModelState.READY || (r.state == ModelState.UNLOADING && !r.noPromotions));
            while (canPromote && r.inFlight < r.parallel() && !r.waiters.isEmpty()) {
                ManagedGeneration next = r.waiters.poll();
                r.inFlight++;
                r.running.add(next);
                promoted.add(next);
            }
            model = r.model;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (started && finished != null) {
            recordGeneration(r, finished);
        }
        for (ManagedGeneration next : promoted) {
            next.promote(model);
        }
    }

    // ---------------------------------------------------------------- loading

    /**
     * Loads a model ahead of requests. The CPU rule does not apply; the memory rule and the model cap do.
     *
     * @throws UnknownModelException     when no such model is registered
     * @throws ModelUnavailableException when the entry is broken or the load failed
     * @throws LoadTimeoutException      when the load took longer than the load timeout
     * @throws OverloadedException       when the model cannot fit
     */
    public LoadReport load(String model) {
        Resident r = resident(model);
        long deadline = System.nanoTime() + settings.loadTimeout().toNanos();
        boolean waited = false;
        while (true) {
            CompletableFuture<?> wait;
            Runnable cleanup = null;
            lock.lock();
            try {
                ensureOpen(r.name);
                requireAvailable(r);
                cleanup = detachIfDead(r);
                if (r.state == ModelState.READY) {
                    return new LoadReport(r.name, !waited, r.loadDuration, r.estimateBytes, r.rssBytes);
                }
                wait = switch (r.state) {
                    case LOADING -> r.loading;
                    case UNLOADING -> r.unloading;
                    default -> startLoad(r);
                };
                waited = true;
            } finally {
                lock.unlock();
                if (cleanup != null) {
                    cleanup.run();
                }
            }
            await(r, wait, deadline);
        }
    }

    /** Under the lock: starts the one load of this model that every caller shares. */
    private CompletableFuture<LoadedModel> startLoad(Resident r) {
        CompletableFuture<LoadedModel> future = new CompletableFuture<>();
        r.state = ModelState.LOADING;
        r.failure = null;
        r.loading = future;
        try {
            loader.execute(() -> runLoad(r, future));
        } catch (RejectedExecutionException e) {
            r.state = ModelState.UNLOADED;
            r.loading = null;
            throw new ModelUnavailableException(r.name, "the server is shutting down");
        }
        return future;
    }

    private void await(Resident r, CompletableFuture<?> future, long deadline) {
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
            Throwable cause = e.getCause();
            if (cause instanceof OverloadedException o) {
                refused(o, o.refusal());
                throw new OverloadedException(o.refusal(), o.reason(), o.retryAfter());
            }
            if (cause instanceof ModelUnavailableException u) {
                throw new ModelUnavailableException(u.model(), u.reason());
            }
            throw new ModelUnavailableException(r.name, "load failed");
        }
    }

    private void runLoad(Resident r, CompletableFuture<LoadedModel> future) {
        boolean locked = false;
        try {
            loadLock.lockInterruptibly();
            locked = true;
            if (closed) {
                throw new ModelUnavailableException(r.name, "the server is shutting down");
            }
            ModelSpec spec = r.entry.spec();
            long estimate = inspect(r);
            admit(r, estimate);
            long start = System.nanoTime();
            LoadedModel model = engine.load(spec);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            long rss = residentBytes(model);
            boolean keep;
            lock.lock();
            try {
                keep = !closed;
                if (keep) {
                    Instant now = clock.instant();
                    r.model = model;
                    r.state = ModelState.READY;
                    r.failure = null;
                    r.loading = null;
                    r.loadedAt = now;
                    r.idleSince = now;
                    r.loadDuration = took;
                    r.rssBytes = rss;
                    r.loads.incrementAndGet();
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
            if (!keep) {
                closeQuietly(model);
                throw new ModelUnavailableException(r.name, "the server is shutting down");
            }
            eachRegistry(reg -> loadTimer(reg, r.name).record(took));
            future.complete(model);
        } catch (OverloadedException e) {
            settle(r, ModelState.UNLOADED, null);
            future.completeExceptionally(e);
        } catch (ModelUnavailableException e) {
            settle(r, r.entry.available() ? ModelState.FAILED : ModelState.UNLOADED, e.reason());
            future.completeExceptionally(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            settle(r, ModelState.UNLOADED, null);
            future.completeExceptionally(new ModelUnavailableException(r.name, "the server is shutting down"));
        } catch (RuntimeException e) {
            String reason = "load failed: " + Safe.message(e.getMessage());
            settle(r, ModelState.FAILED, reason);
            future.completeExceptionally(new ModelUnavailableException(r.name, reason));
        } finally {
            if (locked) {
                loadLock.unlock();
            }
            if (!future.isDone()) {
                settle(r, ModelState.FAILED, "load failed");
                future.completeExceptionally(new ModelUnavailableException(r.name, "load failed"));
            }
        }
    }

    private void settle(Resident r, ModelState state, String failure) {
        lock.lock();
        try {
            if (r.state == ModelState.LOADING) {
                r.state = state;
                r.failure = state == ModelState.FAILED ? failure : null;
                r.loading = null;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Reads the file's metadata; a file the engine cannot read makes the entry unavailable. */
    private long inspect(Resident r) {
        ModelSpec spec = r.entry.spec();
        try {
            long estimate = engine.inspect(spec).estimate().totalBytes();
            lock.lock();
            try {
                r.estimateBytes = estimate;
            } finally {
                lock.unlock();
            }
            return estimate;
        } catch (InvalidModelException e) {
            String file = ModelRegistry.fileName(spec.path());
            String detail = Safe.message(e.getMessage());
            if (detail.startsWith(file + ": ")) {
                detail = detail.substring(file.length() + 2);
            }
            String reason = "model file '" + file + "' is not a usable GGUF model: " + detail;
            r.entry = r.entry.unavailable(reason);
            throw new ModelUnavailableException(r.name, reason);
        } catch (RuntimeException e) {
            // Not a verdict on the file: the load itself will say what is wrong.
            return r.estimateBytes;
        }
    }

    /**
     * Makes room for a load: first the model cap, then RAM. Evicts least-recently-used idle models
     * that are neither pinned nor busy, and refuses when that cannot be enough.
     */
    private void admit(Resident r, long estimate) throws InterruptedException {
        awaitUnloads(r);
        while (true) {
            Resident victim;
            int count;
            lock.lock();
            try {
                count = (int) residents.values().stream()
                        .filter(o -> o != r && (o.state == ModelState.READY || o.state == ModelState.UNLOADING))
                        .count();
                if (count < settings.maxLoadedModels()) {
                    break;
                }
                List<Resident> candidates = evictable(r);
                victim = candidates.isEmpty() ? null : candidates.get(0);
            } finally {
                lock.unlock();
            }
            if (victim == null) {
                throw new OverloadedException(OverloadedException.MAX_MODELS, count + " models are loaded, the limit is "
                        + settings.maxLoadedModels() + ", and none is idle to unload", settings.retryAfter());
            }
            unloadIdle(victim, Unload.EVICTION);
        }
        long need = Math.max(0, estimate);
        long floor = settings.minFreeRamBytes();
        long before = probe.availableRamBytes();
        if (before - need >= floor) {
            return;
        }
        List<Resident> candidates;
        long potential = before;
        lock.lock();
        try {
            candidates = evictable(r);
            for (Resident c : candidates) {
                potential += c.freedBytes();
            }
        } finally {
            lock.unlock();
        }
        if (potential - need < floor) {
            throw memoryRefusal(r, need, before, floor, candidates.isEmpty());
        }
        long credited = 0;
        for (Resident victim : candidates) {
            long freed;
            lock.lock();
            try {
                freed = victim.freedBytes();
            } finally {
                lock.unlock();
            }
            if (unloadIdle(victim, Unload.EVICTION)) {
                credited += freed;
            }
            // A worker's memory may not show as available the moment it exits: count what it held.
            long now = Math.max(probe.availableRamBytes(), before + credited);
            if (now - need >= floor) {
                return;
            }
        }
        throw memoryRefusal(r, need, before + credited, floor, true);
    }

    private OverloadedException memoryRefusal(Resident r, long need, long available, long floor, boolean none) {
        HostLimits limits;
        try {
            limits = probe.limitsNow();
        } catch (RuntimeException e) {
            limits = latest.limits();
        }
        String reason = GuardReasons.memory(r.name, need, available, floor, none, limits);
        return new OverloadedException(OverloadedException.MEMORY, reason, settings.retryAfter());
    }

    private void awaitUnloads(Resident r) throws InterruptedException {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        lock.lock();
        try {
            for (Resident o : residents.values()) {
                if (o != r && o.state == ModelState.UNLOADING && o.unloading != null) {
                    pending.add(o.unloading);
                }
            }
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + settings.loadTimeout().toNanos();
        for (CompletableFuture<Void> f : pending) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // Counted as still loaded below; admission decides with that.
            }
        }
    }

    /** Under the lock: idle models that may be evicted, least recently used first. */
    private List<Resident> evictable(Resident except) {
        return residents.values().stream()
                .filter(o -> o != except && o.idle() && !o.entry.pinned())
                .sorted(Comparator.comparing((Resident o) -> o.idleSince).thenComparing(o -> o.name))
                .toList();
    }

    // ---------------------------------------------------------------- unloading

    private enum Unload { EVICTION, IDLE, CLEANUP }

    /** Unloads a model only if it is still idle (and, for eviction and cleanup, not pinned). */
    private boolean unloadIdle(Resident r, Unload why) {
        LoadedModel model;
        lock.lock();
        try {
            if (!r.idle() || (why != Unload.IDLE && r.entry.pinned())) {
                return false;
            }
            model = beginUnload(r);
        } finally {
            lock.unlock();
        }
        closeQuietly(model);
        finishUnload(r, why == Unload.EVICTION);
        return true;
    }

    private LoadedModel beginUnload(Resident r) {
        r.state = ModelState.UNLOADING;
        r.unloading = new CompletableFuture<>();
        changed.signalAll();
        return r.model;
    }

    private void finishUnload(Resident r, boolean eviction) {
        CompletableFuture<Void> done;
        lock.lock();
        try {
            r.state = ModelState.UNLOADED;
            r.model = null;
            r.loadedAt = null;
            r.rssBytes = -1;
            r.noPromotions = false;
            r.unloads.incrementAndGet();
            if (eviction) {
                r.evictions.incrementAndGet();
            }
            done = r.unloading;
            r.unloading = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (done != null) {
            done.complete(null);
        }
    }

    /**
     * Unloads a model. Without force it waits, at most the queue timeout, for its running and queued
     * generations, then cancels what is left; with force it cancels them at once.
     *
     * @throws UnknownModelException   when no such model is registered
     * @throws ModelNotLoadedException when it is not loaded
     */
    public UnloadReport unload(String model, boolean force) {
        Resident r = resident(model);
        List<ManagedGeneration> toCancel = new ArrayList<>();
        lock.lock();
        try {
            if (r.state != ModelState.READY) {
                throw new ModelNotLoadedException(r.name);
            }
            beginUnload(r);
            if (force) {
                r.noPromotions = true;
                toCancel.addAll(r.waiters);
                toCancel.addAll(r.running);
            } else {
                long left = settings.queueTimeout().toNanos();
                while ((r.inFlight > 0 || !r.waiters.isEmpty()) && left > 0) {
                    left = changed.awaitNanos(left);
                }
                if (r.inFlight > 0 || !r.waiters.isEmpty()) {
                    r.noPromotions = true;
                    toCancel.addAll(r.waiters);
                    toCancel.addAll(r.running);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r.noPromotions = true;
            toCancel.addAll(r.waiters);
            toCancel.addAll(r.running);
        } finally {
            lock.unlock();
        }
        int cancelled = 0;
        for (ManagedGeneration g : toCancel) {
            if (g.queued()) {
                if (leaveQueue(g) && g.end(FinishReason.CANCELLED, null)) {
                    cancelled++;
                }
            } else {
                g.cancel();
                cancelled++;
            }
        }
        LoadedModel loaded;
        lock.lock();
        try {
            loaded = r.model;
        } finally {
            lock.unlock();
        }
        closeQuietly(loaded);
        finishUnload(r, false);
        return new UnloadReport(r.name, cancelled);
    }

    /**
     * Unloads every idle model that is not pinned, or only those idle at least {@code idleAtLeast}.
     *
     * @param idleAtLeast the least idle time, or null for every idle model
     */
    public CleanupReport cleanup(Duration idleAtLeast) {
        Instant now = clock.instant();
        List<Resident> candidates;
        lock.lock();
        try {
            candidates = residents.values().stream()
                    .filter(r -> r.idle() && !r.entry.pinned())
                    .filter(r -> idleAtLeast == null
                            || Duration.between(r.idleSince, now).compareTo(idleAtLeast) >= 0)
                    .toList();
        } finally {
            lock.unlock();
        }
        List<String> removed = new ArrayList<>();
        for (Resident r : candidates) {
            if (unloadIdle(r, Unload.CLEANUP)) {
                removed.add(r.name);
            }
        }
        return new CleanupReport(removed, loadedNames());
    }

    /** The idle sweep: unloads models idle longer than their idle time, and drops dead workers. */
    void checkIdle() {
        try {
            Instant now = clock.instant();
            List<Resident> due = new ArrayList<>();
            List<Runnable> cleanups = new ArrayList<>();
            lock.lock();
            try {
                for (Resident r : residents.values()) {
                    Runnable cleanup = r.state == ModelState.READY && r.inFlight == 0 ? detachIfDead(r) : null;
                    if (cleanup != null) {
                        cleanups.add(cleanup);
                        continue;
                    }
                    int minutes = r.entry.idleUnloadMinutes();
                    if (minutes > 0 && r.idle()
                            && Duration.between(r.idleSince, now).compareTo(Duration.ofMinutes(minutes)) >= 0) {
                        due.add(r);
                    }
                }
            } finally {
                lock.unlock();
            }
            cleanups.forEach(Runnable::run);
            for (Resident r : due) {
                unloadIdle(r, Unload.IDLE);
            }
        } catch (RuntimeException e) {
            // The sweep runs again at the next interval.
        }
    }

    /**
     * Under the lock: a loaded model whose worker died is dropped (state FAILED) so the next request
     * loads it again. Returns the cleanup to run after the lock is released, or null.
     */
    private Runnable detachIfDead(Resident r) {
        if (r.state != ModelState.READY || r.model == null || isAlive(r.model)) {
            return null;
        }
        LoadedModel dead = r.model;
        List<ManagedGeneration> waiting = new ArrayList<>(r.waiters);
        r.waiters.clear();
        r.model = null;
        r.state = ModelState.FAILED;
        r.failure = "the model's worker stopped";
        r.loadedAt = null;
        r.rssBytes = -1;
        changed.signalAll();
        return () -> {
            waiting.forEach(g -> g.end(FinishReason.ERROR, "the model's worker stopped"));
            closeQuietly(dead);
        };
    }

    // ---------------------------------------------------------------- status

    /** The status of every registered model, in registry order. */
    public List<ModelStatus> models() {
        return residents.values().stream().map(this::snapshot).toList();
    }

    /**
     * The status of one model.
     *
     * @throws UnknownModelException when no such model is registered
     */
    public ModelStatus status(String model) {
        return snapshot(resident(model));
    }

    private ModelStatus snapshot(Resident r) {
        ModelStatus s;
        LoadedModel model;
        lock.lock();
        try {
            ModelEntry e = r.entry;
            ModelSpec spec = e.spec();
            String reason = !e.available() ? e.unavailableReason()
                    : r.state == ModelState.FAILED ? r.failure : null;
            model = r.model;
            s = new ModelStatus(r.name, r.state, e.available(), reason,
                    spec == null ? settings.defaultContextSize() : spec.contextSize(),
                    spec == null ? settings.defaultParallel() : spec.parallel(),
                    spec == null ? settings.defaultThreads() : spec.threads(),
                    r.inFlight, r.inFlight, r.waiters.size(), r.inferences.get(), r.promptTokens.get(),
                    r.completionTokens.get(), r.lastUsed, r.loadedAt, r.loadDuration, r.estimateBytes,
                    r.rssBytes, e.pinned(), e.idleUnloadMinutes());
        } finally {
            lock.unlock();
        }
        if (model != null) {
            try {
                int busy = model.slots().busy();
                s = new ModelStatus(s.name(), s.state(), s.available(), s.reason(), s.contextSize(), s.parallel(),
                        s.threads(), busy, s.inFlight(), s.queued(), s.inferenceCount(), s.promptTokens(),
                        s.completionTokens(), s.lastUsed(), s.loadedAt(), s.loadDuration(), s.estimateBytes(),
                        s.rssBytes(), s.pinned(), s.idleUnloadMinutes());
            } catch (RuntimeException e) {
                // The model went away meanwhile: the admitted count stands in.
            }
        }
        return s;
    }

    private List<String> loadedNames() {
        lock.lock();
        try {
            return residents.values().stream()
                    .filter(r -> r.state == ModelState.READY || r.state == ModelState.LOADING
                            || r.state == ModelState.UNLOADING)
                    .map(r -> r.name)
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    private int loadedCount() {
        lock.lock();
        try {
            return (int) residents.values().stream().filter(r -> r.state == ModelState.READY).count();
        } finally {
            lock.unlock();
        }
    }

    /** The latest background sample of the host; never blocks. */
    public HostSample host() {
        return latest;
    }

    /** The settings this manager runs with. */
    public GuardSettings settings() {
        return settings;
    }

    /**
     * Present when new work would be refused now: other processes' CPU above the limit, or available RAM
     * under the floor.
     */
    public Optional<String> refusalReason() {
        HostSample s = latest;
        if (s.otherCpuPercent() > settings.maxCpuPercent()) {
            return Optional.of(cpuReason(s));
        }
        if (s.totalRamBytes() > 0 && s.availableRamBytes() < settings.minFreeRamBytes()) {
            return Optional.of(GuardReasons.floor(s, settings.minFreeRamMb()));
        }
        return Optional.empty();
    }

    /** Refusals so far, by kind: {@code cpu}, {@code memory}, {@code queue_full}, {@code max_models}. */
    public Map<String, Long> refusals() {
        Map<String, Long> out = new LinkedHashMap<>();
        refusals.forEach((k, v) -> out.put(k, v.get()));
        return java.util.Collections.unmodifiableMap(out);
    }

    // ---------------------------------------------------------------- host

    /** One background sample; also called by tests to apply a new reading at once. */
    void sampleHost() {
        latest = readProbe(latest);
    }

    private HostSample readProbe(HostSample fallback) {
        try {
            HostSample s = probe.sample();
            return s == null ? fallback : s;
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    /** The CPU rule: only other processes' load counts; the backend's own is bounded by slots x threads. */
    private void checkCpu() {
        HostSample s = latest;
        if (s.otherCpuPercent() > settings.maxCpuPercent()) {
            throw refused(new OverloadedException(OverloadedException.CPU, cpuReason(s), settings.retryAfter()),
                    OverloadedException.CPU);
        }
    }

    private String cpuReason(HostSample s) {
        return GuardReasons.cpu(s, settings.maxCpuPercent(), settings.cpuWindow());
    }

    private <E extends RuntimeException> E refused(E e, String kind) {
        AtomicLong counter = refusals.get(kind);
        if (counter != null) {
            counter.incrementAndGet();
        }
        return e;
    }

    // ---------------------------------------------------------------- metrics

    @Override
    public void bindTo(MeterRegistry registry) {
        if (registries.addIfAbsent(registry)) {
            register(registry);
        }
    }

    private void register(MeterRegistry reg) {
        for (Resident r : residents.values()) {
            FunctionCounter.builder("cerebrum.loads", r, x -> x.loads.get()).tag("model", r.name)
                    .description("Model loads").register(reg);
            FunctionCounter.builder("cerebrum.unloads", r, x -> x.unloads.get()).tag("model", r.name)
                    .description("Model unloads, evictions included").register(reg);
            FunctionCounter.builder("cerebrum.evictions", r, x -> x.evictions.get()).tag("model", r.name)
                    .description("Models unloaded to make room for another").register(reg);
            FunctionCounter.builder("cerebrum.queue.timeouts", r, x -> x.queueTimeouts.get()).tag("model", r.name)
                    .description("Generations that waited longer than the queue timeout").register(reg);
            FunctionCounter.builder("cerebrum.inferences", r, x -> x.inferences.get()).tag("model", r.name)
                    .description("Generations that ended after they started").register(reg);
            FunctionCounter.builder("cerebrum.tokens", r, x -> x.promptTokens.get())
                    .tags("model", r.name, "kind", "prompt").description("Tokens processed").register(reg);
            FunctionCounter.builder("cerebrum.tokens", r, x -> x.completionTokens.get())
                    .tags("model", r.name, "kind", "completion").description("Tokens processed").register(reg);
            Gauge.builder("cerebrum.inflight", r, this::inFlightOf).tag("model", r.name).strongReference(true)
                    .description("Generations running").register(reg);
            Gauge.builder("cerebrum.queued", r, this::queuedOf).tag("model", r.name).strongReference(true)
                    .description("Generations waiting for a slot").register(reg);
            loadTimer(reg, r.name);
            ttftTimer(reg, r.name);
            queueTimer(reg, r.name);
            decodeSummary(reg, r.name);
        }
        for (String kind : REFUSAL_KINDS) {
            FunctionCounter.builder("cerebrum.refusals", refusals.get(kind), AtomicLong::get).tag("reason", kind)
                    .description("Requests refused").register(reg);
        }
        Gauge.builder("cerebrum.models.loaded", this, ModelManager::loadedCount).strongReference(true)
                .description("Models loaded").register(reg);
        Gauge.builder("cerebrum.host.cpu.percent", this, m -> m.latest.cpuPercent()).strongReference(true)
                .description("Host-wide CPU use, average over the CPU window").register(reg);
        Gauge.builder("cerebrum.host.cpu.other.percent", this, m -> m.latest.otherCpuPercent()).strongReference(true)
                .description("Share of the CPU available to the backend that other processes take (CPU rule)")
                .register(reg);
        Gauge.builder("cerebrum.host.cpu.own.percent", this, m -> m.latest.ownCpuPercent()).strongReference(true)
                .description("The server's and its workers' share of the CPU available to them").register(reg);
        Gauge.builder("cerebrum.host.cpu.allowed.cores", this, m -> m.latest.limits().cpuAllowedCores())
                .strongReference(true).description("Cores the backend may use: the cgroup quota, else the host's")
                .register(reg);
        Gauge.builder("cerebrum.host.memory.limit.bytes", this, ModelManager::memoryLimitOrNaN).strongReference(true)
                .description("The cgroup memory limit that applies; NaN without one").baseUnit("bytes")
                .register(reg);
        Gauge.builder("cerebrum.host.ram.available.bytes", this, m -> m.latest.availableRamBytes())
                .strongReference(true).description("RAM available to the backend (under its cgroup limit if any)")
                .baseUnit("bytes").register(reg);
        Gauge.builder("cerebrum.host.ram.used.bytes", this, m -> m.latest.usedRamBytes())
                .strongReference(true).description("Used RAM, latest sample").baseUnit("bytes").register(reg);
    }

    private double memoryLimitOrNaN() {
        long limit = latest.limits().memoryLimitBytes();
        return limit < 0 ? Double.NaN : limit;
    }

    private double inFlightOf(Resident r) {
        lock.lock();
        try {
            return r.inFlight;
        } finally {
            lock.unlock();
        }
    }

    private double queuedOf(Resident r) {
        lock.lock();
        try {
            return r.waiters.size();
        } finally {
            lock.unlock();
        }
    }

    private static Timer loadTimer(MeterRegistry reg, String model) {
        return Timer.builder("cerebrum.load.duration").tag("model", model).description("Model load time")
                .register(reg);
    }

    private static Timer ttftTimer(MeterRegistry reg, String model) {
        return Timer.builder("cerebrum.time.to.first.token").tag("model", model)
                .description("From the request to the first token, queue included")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(reg);
    }

    private static Timer queueTimer(MeterRegistry reg, String model) {
        return Timer.builder("cerebrum.queue.wait").tag("model", model).description("Waiting for a free slot")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(reg);
    }

    private static DistributionSummary decodeSummary(MeterRegistry reg, String model) {
        return DistributionSummary.builder("cerebrum.decode.tokens.per.second").tag("model", model)
                .description("Decode speed of one generation").register(reg);
    }

    private void recordGeneration(Resident r, GenerationEvent.Finished f) {
        var t = f.timings();
        if (t == dev.cerebrum.engine.Timings.NONE) {
            return;
        }
        eachRegistry(reg -> {
            if (t.timeToFirstTokenMillis() > 0) {
                ttftTimer(reg, r.name).record(nanos(t.timeToFirstTokenMillis()), TimeUnit.NANOSECONDS);
            }
            queueTimer(reg, r.name).record(nanos(t.queueMillis()), TimeUnit.NANOSECONDS);
            if (f.completionTokens() > 1 && t.decodeTokensPerSecond() > 0) {
                decodeSummary(reg, r.name).record(t.decodeTokensPerSecond());
            }
        });
    }

    private void eachRegistry(Consumer<MeterRegistry> action) {
        for (MeterRegistry reg : registries) {
            try {
                action.accept(reg);
            } catch (RuntimeException e) {
                // A metric that cannot be recorded is skipped, never thrown at a request.
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Stops the timers, ends every queued and running generation, and unloads every model. */
    @Override
    public void close() {
        List<ManagedGeneration> waiting = new ArrayList<>();
        List<ManagedGeneration> running = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Resident r : residents.values()) {
                waiting.addAll(r.waiters);
                r.waiters.clear();
                running.addAll(r.running);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        scheduler.shutdownNow();
        waiting.forEach(g -> g.end(FinishReason.ERROR, "the server is shutting down"));
        running.forEach(ManagedGeneration::cancel);
        loader.shutdown();
        try {
            // A load that is running finishes and, seeing the manager closed, unloads its model.
            loader.awaitTermination(Math.min(settings.loadTimeout().toMillis(), 30_000), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Resident r : residents.values()) {
            LoadedModel model;
            lock.lock();
            try {
                model = r.model;
                r.model = null;
                if (r.state != ModelState.LOADING) {
                    r.state = ModelState.UNLOADED;
                }
            } finally {
                lock.unlock();
            }
            closeQuietly(model);
        }
    }

    // ---------------------------------------------------------------- helpers

    private Resident resident(String model) {
        Resident r = model == null ? null : residents.get(model);
        if (r == null) {
            throw new UnknownModelException(model);
        }
        return r;
    }

    private static void requireAvailable(Resident r) {
        ModelEntry e = r.entry;
        if (!e.available()) {
            throw new ModelUnavailableException(r.name, e.unavailableReason());
        }
    }

    private void ensureOpen(String model) {
        if (closed) {
            throw new ModelUnavailableException(model, "the server is shutting down");
        }
    }

    private static boolean isAlive(LoadedModel model) {
        try {
            return model.isAlive();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static long residentBytes(LoadedModel model) {
        try {
            return model.residentBytes();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static void closeQuietly(LoadedModel model) {
        if (model != null) {
            try {
                model.close();
            } catch (RuntimeException e) {
                // The model is gone either way; its memory is the engine's to free.
            }
        }
    }

    private static long nanos(double millis) {
        return (long) (millis * 1_000_000);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
