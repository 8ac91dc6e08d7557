package dev.cerebrum.guard;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.MemoryEstimate;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.SlotStatus;
import dev.cerebrum.engine.Timings;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A scripted engine: loads, estimates and generations are under the test's control. */
final class FakeEngine implements InferenceEngine {
    static final long MB = 1024L * 1024L;

    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger inspects = new AtomicInteger();
    final AtomicInteger failNextLoads = new AtomicInteger();
    final Map<String, Long> estimates = new ConcurrentHashMap<>();
    final Set<String> invalid = ConcurrentHashMap.newKeySet();
    final List<FakeModel> models = new CopyOnWriteArrayList<>();
    /** The architecture each model's file reports, by model name; "llama" when absent. */
    final Map<String, String> architectures = new ConcurrentHashMap<>();
    volatile long defaultEstimate = 100 * MB;
    volatile CountDownLatch loadGate = new CountDownLatch(0);
    private final String name;
    private final Set<String> unsupported;
    volatile boolean closed;

    FakeEngine() {
        this("fake", Set.of());
    }

    /** An engine of that name that cannot load the {@code unsupported} architectures. */
    FakeEngine(String name, Set<String> unsupported) {
        this.name = name;
        this.unsupported = Set.copyOf(unsupported);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return name + " 1.0";
    }

    @Override
    public boolean supportsArchitecture(String architecture) {
        return !unsupported.contains(architecture);
    }

    @Override
    public ModelInfo inspect(ModelSpec spec) {
        inspects.incrementAndGet();
        if (invalid.contains(spec.name())) {
            throw new InvalidModelException("bad magic in " + spec.path().toAbsolutePath());
        }
        long estimate = estimates.getOrDefault(spec.name(), defaultEstimate);
        return new ModelInfo(architectures.getOrDefault(spec.name(), "llama"), 512, 64, 1, 4, 4, 286, "F32", estimate,
                new MemoryEstimate(estimate, 0, 0));
    }

    @Override
    public LoadedModel load(ModelSpec spec) {
        loads.incrementAndGet();
        try {
            if (!loadGate.await(30, TimeUnit.SECONDS)) {
                throw new EngineFailureException("gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineFailureException("interrupted");
        }
        if (failNextLoads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new EngineFailureException("worker exited while loading " + spec.path().toAbsolutePath());
        }
        FakeModel m = new FakeModel(spec, estimates.getOrDefault(spec.name(), defaultEstimate));
        models.add(m);
        return m;
    }

    /** Bytes held by the models that are loaded now. */
    long residentBytes() {
        return models.stream().filter(m -> !m.closed).mapToLong(m -> m.rss).sum();
    }

    /** The models of that name loaded so far, oldest first. */
    List<FakeModel> loadsOf(String name) {
        return models.stream().filter(m -> m.spec().name().equals(name)).toList();
    }

    FakeModel current(String name) {
        List<FakeModel> all = loadsOf(name);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    @Override
    public void close() {
        closed = true;
        models.forEach(FakeModel::close);
    }

    static final class FakeModel implements LoadedModel {
        private final ModelSpec spec;
        final long rss;
        final List<FakeGeneration> generations = new CopyOnWriteArrayList<>();
        volatile boolean closed;
        volatile boolean alive = true;
        /** When set, the next generate finds the worker gone: it dies then and there. */
        volatile boolean dieOnGenerate;

        FakeModel(ModelSpec spec, long rss) {
            this.spec = spec;
            this.rss = rss;
        }

        @Override
        public ModelSpec spec() {
            return spec;
        }

        @Override
        public Generation generate(GenerationRequest request) {
            if (dieOnGenerate) {
                alive = false;
            }
            if (closed || !alive) {
                throw new EngineFailureException("model is not loaded");
            }
            int tokens = countTokens(request.prompt());
            if (tokens >= spec.slotContext()) {
                throw new ContextOverflowException(tokens, spec.slotContext());
            }
            if (generations.stream().filter(x -> !x.done).count() >= spec.parallel()) {
                // Like the real engines: no queue here, the guard must never hand out more than the free slots.
                throw new dev.cerebrum.engine.NoFreeSlotException(spec.parallel());
            }
            FakeGeneration g = new FakeGeneration(tokens);
            generations.add(g);
            return g;
        }

        @Override
        public int countTokens(String text) {
            return text.length();
        }

        @Override
        public SlotStatus slots() {
            int busy = (int) generations.stream().filter(g -> !g.done).count();
            int taken = Math.min(busy, spec.parallel());
            return new SlotStatus(spec.parallel(), taken, 0, taken);
        }

        @Override
        public long residentBytes() {
            return rss;
        }

        @Override
        public boolean isAlive() {
            return alive && !closed;
        }

        @Override
        public void close() {
            closed = true;
            generations.forEach(g -> g.end(FinishReason.ERROR, "model unloaded"));
        }

        /** The worker is gone (a crash, a SIGKILL, a watchdog): not alive, and what runs ends with an error. */
        void die(String message) {
            alive = false;
            generations.forEach(g -> g.end(FinishReason.ERROR, message));
        }
    }

    /** A generation that emits what the test tells it to. */
    static final class FakeGeneration implements Generation {
        private final LinkedBlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
        private final int promptTokens;
        private int emitted;
        volatile boolean done;
        volatile boolean cancelled;

        FakeGeneration(int promptTokens) {
            this.promptTokens = promptTokens;
        }

        /** Emits n tokens then the final event. */
        synchronized void complete(int n) {
            for (int i = 0; i < n; i++) {
                emitted++;
                events.add(new GenerationEvent.Token("x", emitted));
            }
            end(FinishReason.STOP, null);
        }

        synchronized void end(FinishReason reason, String error) {
            if (!done) {
                done = true;
                events.add(new GenerationEvent.Finished(reason, promptTokens, emitted,
                        new Timings(1, 5, 4, 10, 100, 50, 15), error));
            }
        }

        @Override
        public GenerationEvent poll(Duration timeout) throws InterruptedException {
            return events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public void cancel() {
            cancelled = true;
            end(FinishReason.CANCELLED, null);
        }

        @Override
        public boolean started() {
            return true;
        }
    }
}
