package dev.cerebrum.guard;

import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.SlotStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Snapshots of the models' states and counters, each read under its model's lock; never blocks on a load. */
final class StatusView {
    private final Residents residents;
    private final GuardSettings settings;

    StatusView(Residents residents, GuardSettings settings) {
        this.residents = residents;
        this.settings = settings;
    }

    /** Every model, in registry order. */
    List<ModelStatus> models() {
        return residents.all().stream().map(this::status).toList();
    }

    /** One model. A model whose worker is gone shows as failed with the reason until it is loaded again. */
    ModelStatus status(Resident r) {
        ModelStatus.Builder b;
        LoadedModel model;
        r.lock.lock();
        try {
            ModelEntry e = r.entry;
            Optional<ModelSpec> spec = switch (e) {
                case ModelEntry.Usable u -> Optional.of(u.spec());
                case ModelEntry.Broken broken -> broken.spec();
            };
            model = r.state == ModelState.READY ? r.model : null;
            b = ModelStatus.builder(r.name, r.state)
                    .available(e.available())
                    .reason(reason(r, e))
                    .config(spec.map(ModelSpec::contextSize).orElse(settings.defaultContextSize()),
                            spec.map(ModelSpec::parallel).orElse(settings.defaultParallel()),
                            spec.map(ModelSpec::threads).orElse(settings.defaultThreads()))
                    .slotsBusy(r.queue.inFlight())
                    .inFlight(r.queue.inFlight())
                    .queued(r.queue.waiting())
                    .usage(r.inferences.get(), r.promptTokens.get(), r.completionTokens.get(), r.lastUsed)
                    .cachedTokens(r.cachedTokens.get())
                    .load(r.loadedAt, r.loadDuration, r.estimateBytes, r.rssBytes)
                    .residency(e.pinned(), e.idleUnloadMinutes());
        } finally {
            r.lock.unlock();
        }
        if (model != null) {
            if (!Slots.alive(model)) {
                b.state(ModelState.FAILED).reason(Slots.WORKER_STOPPED);
            } else {
                try {
                    SlotStatus slots = model.slots();
                    b.slotsBusy(slots.busy()).phases(slots.prefilling(), slots.decoding());
                } catch (RuntimeException ex) {
                    GuardLog.debug(r.name, "its slots could not be read; the admitted count stands in", ex);
                }
            }
        }
        return b.build();
    }

    /** Under the lock: why the model cannot serve now, or null. */
    private static String reason(Resident r, ModelEntry e) {
        if (e instanceof ModelEntry.Broken broken) {
            return broken.reason();
        }
        return switch (r.state) {
            case FAILED -> r.failure;
            case LOADING -> r.lostWorker == null ? null : r.lostWorker + "; loading it again";
            default -> null;
        };
    }

    /** Models loaded, loading or being unloaded. */
    List<String> loadedNames() {
        List<String> names = new ArrayList<>();
        for (Resident r : residents.all()) {
            r.lock.lock();
            try {
                if (r.state == ModelState.READY || r.state == ModelState.LOADING || r.state == ModelState.UNLOADING) {
                    names.add(r.name);
                }
            } finally {
                r.lock.unlock();
            }
        }
        return names;
    }
}
