package dev.cerebrum.guard;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.LoadedModel;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The way in for generations and preloads: it loads the model when needed (waiting at most the load
 * timeout), applies the CPU rule to a request that would start new work, and starts the generation on a free
 * slot or queues it, as the {@link AdmissionPolicy} decides.
 */
final class Admission {
    /** How often a request that met a worker that had just died waits for a new one before it gives up. */
    private static final int LOST_WORKER_RETRIES = 2;

    private final Residents residents;
    private final GuardSettings settings;
    private final AdmissionPolicy policy;
    private final HostMonitor host;
    private final Refusals refusals;
    private final ModelInspector inspector;
    private final Loader loader;
    private final Slots slots;

    Admission(Residents residents, GuardSettings settings, AdmissionPolicy policy, HostMonitor host,
              Refusals refusals, ModelInspector inspector, Loader loader, Slots slots) {
        this.residents = residents;
        this.settings = settings;
        this.policy = policy;
        this.host = host;
        this.refusals = refusals;
        this.inspector = inspector;
        this.loader = loader;
        this.slots = slots;
    }

    /** See {@link ModelManager#submit}. */
    Generation submit(String model, GenerationRequest request) {
        Objects.requireNonNull(request, "request");
        Resident r = residents.get(model);
        long deadline = System.nanoTime() + settings.loadTimeout().toNanos();
        boolean admitted = false;
        boolean promptChecked = false;
        int lostWorkers = 0;
        while (true) {
            prepare(r);
            CompletableFuture<?> wait = null;
            ManagedGeneration startNow = null;
            LoadedModel loaded = null;
            r.lock.lock();
            try {
                residents.ensureOpen(r.name);
                if (r.state == ModelState.READY) {
                    loaded = r.model;
                    switch (policy.slot(r.queue.inFlight(), r.parallel(), r.queue.waiting())) {
                        case START -> {
                            if (!admitted) {
                                checkCpu();
                                admitted = true;
                            }
                            startNow = new ManagedGeneration(slots, r, request, false);
                            r.queue.occupy(startNow);
                        }
                        case REFUSE_QUEUE_FULL -> throw refusals.count(Refusal.QUEUE_FULL,
                                new QueueFullException(r.name, settings.retryAfter()));
                        case QUEUE -> {
                            if (promptChecked) {
                                // Waiting for a busy slot adds no load, so the CPU rule does not apply here.
                                ManagedGeneration queued = new ManagedGeneration(slots, r, request, true);
                                slots.enqueue(queued);
                                slots.startDeadline(queued);
                                return queued;
                            }
                        }
                    }
                } else {
                    if (!admitted) {
                        checkCpu();
                        admitted = true;
                    }
                    wait = waitFor(r);
                }
            } finally {
                r.lock.unlock();
            }
            if (startNow != null) {
                try {
                    startNow.startNow(loaded);
                    slots.startDeadline(startNow);
                    return startNow;
                } catch (RuntimeException e) {
                    startNow.abandon();
                    if (startNow.cancelKind() == FailureKind.UNLOADED) {
                        throw new ModelUnavailableException(r.name,
                                "the generation was cancelled: the model was unloaded");
                    }
                    if (Slots.alive(loaded) || ++lostWorkers > LOST_WORKER_RETRIES) {
                        throw e;
                    }
                    // Its worker died just now: the next round loads the model again.
                    GuardLog.debug(r.name, "a generation met a worker that had just stopped", e);
                    continue;
                }
            }
            if (wait != null) {
                loader.await(r, wait, deadline);
            } else {
                // All slots are busy: refuse a prompt that can never fit before it waits in the queue.
                checkPrompt(r.name, loaded, request);
                promptChecked = true;
            }
        }
    }

    /** See {@link ModelManager#load}. */
    LoadReport load(String model) {
        Resident r = residents.get(model);
        long deadline = System.nanoTime() + settings.loadTimeout().toNanos();
        boolean waited = false;
        while (true) {
            prepare(r);
            CompletableFuture<?> wait;
            r.lock.lock();
            try {
                residents.ensureOpen(r.name);
                if (r.state == ModelState.READY) {
                    return new LoadReport(r.name, !waited, r.loadDuration, r.estimateBytes, r.rssBytes);
                }
                wait = waitFor(r);
                waited = true;
            } finally {
                r.lock.unlock();
            }
            loader.await(r, wait, deadline);
        }
    }

    /**
     * Before each round: a broken entry is refused unless its file changed (then the load inspects it again),
     * and a model whose worker is gone is replaced.
     */
    private void prepare(Resident r) {
        residents.ensureOpen(r.name);
        if (r.entry instanceof ModelEntry.Broken b && !inspector.fileChanged(r)) {
            throw new ModelUnavailableException(r.name, b.reason());
        }
        slots.replaceIfDead(r);
    }

    /** Under the lock, for a model that is not ready: what to wait for; starts the load when none runs. */
    private CompletableFuture<?> waitFor(Resident r) {
        return switch (r.state) {
            case LOADING -> r.loading;
            case UNLOADING -> r.unloading;
            default -> loader.start(r);
        };
    }

    /** The CPU rule, for a request that would start new work. */
    private void checkCpu() {
        policy.newWork(host.latest()).ifPresent(refuse -> {
            throw refusals.count(Refusal.CPU,
                    new OverloadedException(Refusal.CPU, refuse.reason(), settings.retryAfter()));
        });
    }

    private static void checkPrompt(String name, LoadedModel loaded, GenerationRequest request) {
        int tokens;
        try {
            tokens = loaded.countTokens(request.prompt());
        } catch (InvalidRequestException e) {
            throw e;
        } catch (RuntimeException e) {
            // The model went away meanwhile; the next round decides what happens.
            GuardLog.debug(name, "the prompt's tokens could not be counted", e);
            return;
        }
        int context = loaded.spec().slotContext();
        if (tokens >= context) {
            throw new ContextOverflowException(tokens, context);
        }
    }
}
