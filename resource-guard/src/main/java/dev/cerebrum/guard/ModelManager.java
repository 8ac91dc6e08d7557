package dev.cerebrum.guard;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.UnknownModelException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps registered models resident on demand and protects the host: single-flight loads, bounded per-model
 * queues, idle unload, memory-aware admission with LRU eviction, a cap on loaded models, and the CPU rule.
 * A thin facade over the parts that do each job: the admission policy, admission, the single-flight loader,
 * the slots and queues, the unloader, the idle reaper, the status view, the host monitor and the meters. Thread-safe; no method blocks longer than its documented bound.
 */
public final class ModelManager implements AutoCloseable, MeterBinder {
    private final GuardSettings settings;
    private final Residents residents;
    private final HostMonitor host;
    private final Refusals refusals = new Refusals();
    private final AdmissionPolicy policy;
    private final GuardMeters meters;
    private final ModelInspector inspector;
    private final Unloader unloader;
    private final Loader loader;
    private final Slots slots;
    private final Admission admission;
    private final IdleReaper reaper;
    private final StatusView status;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemon("cerebrum-guard"));
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Engines engines;

    private ModelManager(Engines engines, ModelRegistry registry, GuardSettings settings, HostProbe probe,
                         Clock clock) {
        this.engines = Objects.requireNonNull(engines, "engines");
        Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.residents = new Residents(ModelRegistry.of(registry.entries().stream().map(engines::check).toList()));
        this.host = new HostMonitor(probe);
        this.policy = new AdmissionPolicy(settings);
        this.meters = new GuardMeters(residents.all(), refusals, host);
        this.inspector = new ModelInspector(engines);
        this.unloader = new Unloader(residents, settings, clock);
        this.loader = new Loader(engines, residents, settings, inspector, policy, host, unloader, meters, refusals,
                clock);
        this.slots = new Slots(residents, settings, scheduler, meters, loader, clock);
        this.admission = new Admission(residents, settings, policy, host, refusals, inspector, loader, slots);
        this.reaper = new IdleReaper(residents, slots, unloader, clock);
        this.status = new StatusView(residents, settings);
    }

    /** A manager of one engine that reads the host with OSHI. */
    public static ModelManager create(InferenceEngine engine, ModelRegistry registry, GuardSettings settings) {
        return create(Engines.of(engine), registry, settings);
    }

    /** A manager of one engine that reads the host with the given probe. */
    public static ModelManager create(InferenceEngine engine, ModelRegistry registry, GuardSettings settings,
                                      HostProbe probe) {
        return create(Engines.of(engine), registry, settings, probe);
    }

    /**
     * A manager that loads each model with its entry's engine (the default for entries that name none) and
     * reads the host with OSHI. Entries whose engine is not available are unavailable, with the reason. The
     * caller closes the engines after the manager.
     */
    public static ModelManager create(Engines engines, ModelRegistry registry, GuardSettings settings) {
        return create(engines, registry, settings, HostProbe.oshi(settings.cpuWindow()));
    }

    /** A manager of these engines that reads the host with the given probe. */
    public static ModelManager create(Engines engines, ModelRegistry registry, GuardSettings settings,
                                      HostProbe probe) {
        return create(engines, registry, settings, probe, Clock.systemUTC());
    }

    /** Tests pass a clock to move idle time forward. */
    static ModelManager create(InferenceEngine engine, ModelRegistry registry, GuardSettings settings,
                               HostProbe probe, Clock clock) {
        return create(Engines.of(engine), registry, settings, probe, clock);
    }

    static ModelManager create(Engines engines, ModelRegistry registry, GuardSettings settings,
                               HostProbe probe, Clock clock) {
        ModelManager manager = new ModelManager(engines, registry, settings, probe, clock);
        manager.inspector.inspectAll(manager.residents.all());
        long sample = settings.cpuSampleInterval().toNanos();
        manager.scheduler.scheduleWithFixedDelay(manager.host::sample, sample, sample, TimeUnit.NANOSECONDS);
        long idle = settings.idleCheckInterval().toNanos();
        manager.scheduler.scheduleWithFixedDelay(manager.reaper::sweep, idle, idle, TimeUnit.NANOSECONDS);
        return manager;
    }

    /**
     * Admits a generation: loads the model if needed (waiting at most the load timeout), applies the CPU rule
     * when the request would start new work, and starts it on a free slot or queues it. Its final event's
     * {@link FailureKind} says what cut it short: {@link FailureKind#QUEUE_TIMEOUT} after waiting longer than
     * the queue timeout, {@link FailureKind#UNLOADED} when a forced unload cancelled it,
     * {@link FailureKind#MODEL_UNAVAILABLE} when its model's worker was lost while it waited and could not be
     * loaded again. A generation waiting when the worker is lost runs on the new worker.
     *
     * @throws UnknownModelException     when no such model is registered
     * @throws ModelUnavailableException when the entry is broken or its load failed
     * @throws LoadTimeoutException      when the load took longer than the load timeout
     * @throws OverloadedException       when CPU, RAM or the model cap refuse new work
     * @throws QueueFullException        when every slot is busy and the queue is full
     * @throws ContextOverflowException  when the prompt does not fit a slot
     */
    public Generation submit(String model, GenerationRequest request) {
        return admission.submit(model, request);
    }

    /**
     * Loads a model ahead of requests. The CPU rule does not apply; the memory rule and the model cap do.
     *
     * @throws UnknownModelException     when no such model is registered
     * @throws ModelUnavailableException when the entry is broken or the load failed
     * @throws LoadTimeoutException      when the load took longer than the load timeout
     * @throws OverloadedException       when the model cannot fit
     */
    public LoadReport load(String model) {
        return admission.load(model);
    }

    /**
     * Unloads a model. Without force it waits, at most the queue timeout, for its running and queued
     * generations, then cancels what is left; with force it cancels them at once.
     *
     * @throws UnknownModelException   when no such model is registered
     * @throws ModelNotLoadedException when it is not loaded
     */
    public UnloadReport unload(String model, boolean force) {
        return unloader.unload(residents.get(model), force);
    }

    /**
     * Unloads every idle model that is not pinned, or only those idle at least {@code idleAtLeast}.
     *
     * @param idleAtLeast the least idle time, or null for every idle model
     */
    public CleanupReport cleanup(Duration idleAtLeast) {
        List<String> removed = unloader.cleanup(idleAtLeast);
        return new CleanupReport(removed, status.loadedNames());
    }

    /** The status of every registered model, in registry order. */
    public List<ModelStatus> models() {
        return status.models();
    }

    /**
     * The status of one model.
     *
     * @throws UnknownModelException when no such model is registered
     */
    public ModelStatus status(String model) {
        return status.status(residents.get(model));
    }

    /**
     * The models that wait for an engine this server cannot run, by that engine, in registry order: those whose
     * entry names it, and those of an architecture only it can load.
     */
    public Map<String, List<String>> modelsAwaitingEngines() {
        Map<String, List<String>> awaiting = new java.util.TreeMap<>();
        for (Resident r : residents.all()) {
            String needed;
            r.lock.lock();
            try {
                needed = switch (r.entry) {
                    case ModelEntry.Broken b when b.problem() == ModelEntry.Problem.ENGINE_UNAVAILABLE ->
                            engines.nameFor(b);
                    case ModelEntry.Broken b when b.problem() == ModelEntry.Problem.UNSUPPORTED_ARCHITECTURE ->
                            r.neededEngine;
                    default -> null;
                };
            } finally {
                r.lock.unlock();
            }
            if (needed != null) {
                awaiting.computeIfAbsent(needed, k -> new ArrayList<>()).add(r.name);
            }
        }
        return awaiting;
    }

    /** The latest background sample of the host; never blocks. */
    public HostSample host() {
        return host.latest();
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
        return policy.hostRefusal(host.latest());
    }

    /** Refusals so far, by kind, every kind listed. */
    public Map<Refusal, Long> refusals() {
        return refusals.snapshot();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        meters.bindTo(registry);
    }

    /** One background sample; tests call it to apply a new reading at once. */
    void sampleHost() {
        host.sample();
    }

    /** The idle sweep; tests call it after moving the clock. */
    void checkIdle() {
        reaper.sweep();
    }

    /** Stops the timers, ends every queued and running generation, and unloads every model. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        residents.close();
        List<ManagedGeneration> waiting = new ArrayList<>();
        List<ManagedGeneration> running = new ArrayList<>();
        for (Resident r : residents.all()) {
            r.lock.lock();
            try {
                waiting.addAll(r.queue.drainWaiters());
                running.addAll(r.queue.running());
                r.changed.signalAll();
            } finally {
                r.lock.unlock();
            }
        }
        scheduler.shutdownNow();
        waiting.forEach(g -> g.end(FinishReason.ERROR, FailureKind.SHUTDOWN, Residents.SHUTTING_DOWN));
        running.forEach(g -> g.cancel(FailureKind.SHUTDOWN));
        loader.shutdown(Duration.ofMillis(Math.min(settings.loadTimeout().toMillis(), 30_000)));
        for (Resident r : residents.all()) {
            LoadedModel model;
            r.lock.lock();
            try {
                model = r.model;
                r.model = null;
                if (r.state != ModelState.LOADING) {
                    r.state = ModelState.UNLOADED;
                }
            } finally {
                r.lock.unlock();
            }
            Unloader.close(r.name, model);
        }
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
