package dev.cerebrum.guard;

import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.Timings;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * The guard's Micrometer meters: counters and gauges read the models' and the host's state when scraped;
 * timers and summaries are recorded as generations and loads end. A metric that cannot be recorded is
 * skipped, never thrown at a request.
 */
final class GuardMeters implements MeterBinder {
    private final Collection<Resident> residents;
    private final Refusals refusals;
    private final HostMonitor host;
    private final CopyOnWriteArrayList<MeterRegistry> registries = new CopyOnWriteArrayList<>();

    GuardMeters(Collection<Resident> residents, Refusals refusals, HostMonitor host) {
        this.residents = residents;
        this.refusals = refusals;
        this.host = host;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (registries.addIfAbsent(registry)) {
            residents.forEach(r -> registerModel(registry, r));
            registerGuard(registry);
        }
    }

    private static void registerModel(MeterRegistry reg, Resident r) {
        counter(reg, "cerebrum.loads", r, x -> x.loads.get(), "Model loads");
        counter(reg, "cerebrum.unloads", r, x -> x.unloads.get(), "Model unloads, evictions included");
        counter(reg, "cerebrum.evictions", r, x -> x.evictions.get(), "Models unloaded to make room for another");
        counter(reg, "cerebrum.queue.timeouts", r, x -> x.queueTimeouts.get(),
                "Generations that waited longer than the queue timeout");
        counter(reg, "cerebrum.inferences", r, x -> x.inferences.get(), "Generations that ended after they started");
        FunctionCounter.builder("cerebrum.tokens", r, x -> x.promptTokens.get())
                .tags("model", r.name, "kind", "prompt").description("Tokens processed").register(reg);
        FunctionCounter.builder("cerebrum.tokens", r, x -> x.completionTokens.get())
                .tags("model", r.name, "kind", "completion").description("Tokens processed").register(reg);
        Gauge.builder("cerebrum.inflight", r, x -> locked(x, () -> x.queue.inFlight())).tag("model", r.name)
                .strongReference(true).description("Generations running").register(reg);
        Gauge.builder("cerebrum.queued", r, x -> locked(x, () -> x.queue.waiting())).tag("model", r.name)
                .strongReference(true).description("Generations waiting for a slot").register(reg);
        loadTimer(reg, r.name);
        ttftTimer(reg, r.name);
        queueTimer(reg, r.name);
        decodeSummary(reg, r.name);
    }

    private void registerGuard(MeterRegistry reg) {
        for (Refusal kind : Refusal.values()) {
            FunctionCounter.builder("cerebrum.refusals", refusals.counter(kind), c -> c.get())
                    .tag("reason", kind.wireName()).description("Requests refused").register(reg);
        }
        gauge(reg, "cerebrum.models.loaded", m -> m.loadedCount(), "Models loaded");
        gauge(reg, "cerebrum.host.cpu.percent", m -> m.host.latest().cpuPercent(),
                "Host-wide CPU use, average over the CPU window");
        gauge(reg, "cerebrum.host.cpu.other.percent", m -> m.host.latest().otherCpuPercent(),
                "Share of the CPU available to the backend that other processes take (CPU rule)");
        gauge(reg, "cerebrum.host.cpu.own.percent", m -> m.host.latest().ownCpuPercent(),
                "The server's and its workers' share of the CPU available to them");
        gauge(reg, "cerebrum.host.cpu.allowed.cores", m -> m.host.latest().limits().cpuAllowedCores(),
                "Cores the backend may use: the cgroup quota, else the host's");
        Gauge.builder("cerebrum.host.memory.limit.bytes", this, GuardMeters::memoryLimitOrNaN).strongReference(true)
                .description("The cgroup memory limit that applies; NaN without one").baseUnit("bytes").register(reg);
        Gauge.builder("cerebrum.host.ram.available.bytes", this, m -> m.host.latest().availableRamBytes())
                .strongReference(true).description("RAM available to the backend (under its cgroup limit if any)")
                .baseUnit("bytes").register(reg);
        Gauge.builder("cerebrum.host.ram.used.bytes", this, m -> m.host.latest().usedRamBytes())
                .strongReference(true).description("Used RAM, latest sample").baseUnit("bytes").register(reg);
    }

    /** Records a load's duration. */
    void recordLoad(String model, Duration took) {
        eachRegistry(model, reg -> loadTimer(reg, model).record(took));
    }

    /** Records a generation that ended after it started: time to first token, queue wait, decode speed. */
    void recordGeneration(String model, GenerationEvent.Finished f) {
        Timings t = f.timings();
        if (t == Timings.NONE) {
            return;
        }
        eachRegistry(model, reg -> {
            if (t.timeToFirstTokenMillis() > 0) {
                ttftTimer(reg, model).record(nanos(t.timeToFirstTokenMillis()), TimeUnit.NANOSECONDS);
            }
            queueTimer(reg, model).record(nanos(t.queueMillis()), TimeUnit.NANOSECONDS);
            if (f.completionTokens() > 1 && t.decodeTokensPerSecond() > 0) {
                decodeSummary(reg, model).record(t.decodeTokensPerSecond());
            }
        });
    }

    private double loadedCount() {
        return residents.stream().filter(r -> locked(r, () -> r.state == ModelState.READY ? 1 : 0) == 1).count();
    }

    private double memoryLimitOrNaN() {
        long limit = host.latest().limits().memoryLimitBytes();
        return limit < 0 ? Double.NaN : limit;
    }

    private void eachRegistry(String model, Consumer<MeterRegistry> action) {
        for (MeterRegistry reg : registries) {
            try {
                action.accept(reg);
            } catch (RuntimeException e) {
                GuardLog.debug(model, "a metric could not be recorded and was skipped", e);
            }
        }
    }

    private static int locked(Resident r, java.util.function.IntSupplier read) {
        r.lock.lock();
        try {
            return read.getAsInt();
        } finally {
            r.lock.unlock();
        }
    }

    private static void counter(MeterRegistry reg, String name, Resident r, ToDoubleFunction<Resident> f,
                                String description) {
        FunctionCounter.builder(name, r, f).tag("model", r.name).description(description).register(reg);
    }

    private void gauge(MeterRegistry reg, String name, ToDoubleFunction<GuardMeters> f, String description) {
        Gauge.builder(name, this, f).strongReference(true).description(description).register(reg);
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

    private static long nanos(double millis) {
        return (long) (millis * 1_000_000);
    }
}
