package dev.cerebrum.guard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The guard's rules as pure functions: from the models' states, their estimates, idle times and pins, the
 * host's figures and the request to a decision. No threads, clocks or I/O: callers gather the inputs and
 * carry the decision out, and tests drive it from tables.
 */
final class AdmissionPolicy {
    private final GuardSettings settings;

    AdmissionPolicy(GuardSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * What the policy knows of one other model.
     *
     * @param name       its name
     * @param loaded     in memory or being unloaded: it counts against the cap
     * @param idle       loaded with nothing running or waiting
     * @param pinned     never evicted
     * @param idleSince  when it last became idle (null when never loaded)
     * @param freedBytes what unloading it gives back: its measured RSS, else its estimate
     */
    record ModelView(String name, boolean loaded, boolean idle, boolean pinned, Instant idleSince,
                     long freedBytes) {
        ModelView {
            Objects.requireNonNull(name, "name");
        }

        boolean evictable() {
            return loaded && idle && !pinned;
        }
    }

    /** What to do with a load. */
    sealed interface Decision {
        /** Load it. */
        record Admit() implements Decision {
        }

        /** Unload these idle models first, least recently used first, then decide again. */
        record Evict(List<String> victims) implements Decision {
            public Evict {
                victims = List.copyOf(victims);
                if (victims.isEmpty()) {
                    throw new IllegalArgumentException("an eviction names at least one model");
                }
            }
        }

        /** Refuse it. */
        record Refuse(Refusal refusal, String reason) implements Decision {
            public Refuse {
                Objects.requireNonNull(refusal, "refusal");
                Objects.requireNonNull(reason, "reason");
            }
        }
    }

    /** What to do with a generation for a loaded model. */
    enum SlotDecision {
        /** A slot is free and nobody waits for one: start it now. */
        START,
        /** Every slot is busy, or others wait: it waits in the queue. */
        QUEUE,
        /** Every slot is busy and the queue is full. */
        REFUSE_QUEUE_FULL
    }

    /**
     * The CPU rule, for a request that would start new work (a load or a free slot): refused while other
     * processes take more than the limit of the CPU available to the backend. The backend's own load never
     * counts: slots × threads of each model already bound it.
     */
    Optional<Decision.Refuse> newWork(HostSample host) {
        if (host.otherCpuPercent() > settings.maxCpuPercent()) {
            return Optional.of(new Decision.Refuse(Refusal.CPU,
                    GuardReasons.cpu(host, settings.maxCpuPercent(), settings.cpuWindow())));
        }
        return Optional.empty();
    }

    /** Why new work would be refused now (the CPU rule, or available RAM under the floor); empty when not. */
    Optional<String> hostRefusal(HostSample host) {
        Optional<Decision.Refuse> cpu = newWork(host);
        if (cpu.isPresent()) {
            return Optional.of(cpu.get().reason());
        }
        if (host.totalRamBytes() > 0 && host.availableRamBytes() < settings.minFreeRamBytes()) {
            return Optional.of(GuardReasons.floor(host, settings.minFreeRamMb()));
        }
        return Optional.empty();
    }

    /** A generation for a loaded model with {@code slots} slots, {@code inFlight} of them busy. */
    SlotDecision slot(int inFlight, int slots, int waiting) {
        if (inFlight < slots && waiting == 0) {
            return SlotDecision.START;
        }
        return waiting >= settings.queueSize() ? SlotDecision.REFUSE_QUEUE_FULL : SlotDecision.QUEUE;
    }

    /**
     * A load of {@code model}, estimated at {@code estimateBytes} (-1 unknown), with {@code availableBytes} of RAM
     * available now. First the cap on loaded models, then RAM: the least recently used idle models that are
     * neither pinned nor busy are evicted, as few as make it fit. When even evicting all of them cannot make
     * it fit, nothing is evicted and the load is refused with the numbers.
     *
     * @param others the other registered models
     * @param limits the limits RAM is judged against, named in a memory refusal
     */
    Decision load(String model, long estimateBytes, long availableBytes, HostLimits limits, List<ModelView> others) {
        long loaded = others.stream().filter(ModelView::loaded).count();
        List<ModelView> evictable = others.stream().filter(ModelView::evictable)
                .sorted(Comparator.comparing(ModelView::idleSince, Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(ModelView::name))
                .toList();
        long excess = loaded - settings.maxLoadedModels() + 1;
        if (excess > evictable.size()) {
            return new Decision.Refuse(Refusal.MAX_MODELS, loaded + " models are loaded, the limit is "
                    + settings.maxLoadedModels() + ", and none is idle to unload");
        }
        List<String> victims = new ArrayList<>();
        long available = availableBytes;
        int next = 0;
        for (; next < excess; next++) {
            victims.add(evictable.get(next).name());
            available += evictable.get(next).freedBytes();
        }
        long need = Math.max(0, estimateBytes);
        long floor = settings.minFreeRamBytes();
        while (available - need < floor && next < evictable.size()) {
            victims.add(evictable.get(next).name());
            available += evictable.get(next).freedBytes();
            next++;
        }
        if (available - need < floor) {
            return new Decision.Refuse(Refusal.MEMORY,
                    GuardReasons.memory(model, need, availableBytes, floor, evictable.isEmpty(), limits));
        }
        return victims.isEmpty() ? new Decision.Admit() : new Decision.Evict(victims);
    }
}
