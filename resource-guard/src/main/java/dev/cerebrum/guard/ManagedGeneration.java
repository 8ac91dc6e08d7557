package dev.cerebrum.guard;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.EngineException;
import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.Timings;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A generation as the guard hands it out: it waits in the model's queue until it gets a slot, then reads the
 * engine's stream. It gives its slot back exactly once, on the final event or on cancel, and adds its own
 * queue wait to the final event's timings. A cancel by the guard (a forced unload, shutdown) is told apart by
 * the final event's {@link FailureKind}.
 */
final class ManagedGeneration implements Generation {
    enum Phase { QUEUED, STARTING, RUNNING, ENDED }

    final Resident resident;
    private final Slots slots;
    private final GenerationRequest request;
    private final long createdNanos = System.nanoTime();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicBoolean released = new AtomicBoolean();

    private Phase phase;
    /** Set by a cancel: what ends the generation (its consumer, a forced unload, shutdown); null until then. */
    private FailureKind cancelledBy;
    private volatile Generation delegate;
    private volatile LoadedModel model;
    private GenerationEvent.Finished localFinal;
    private volatile double waitedMillis;
    private volatile int completionTokens;
    private volatile ScheduledFuture<?> timeout;
    private volatile ScheduledFuture<?> deadline;
    private boolean finalReturned;

    ManagedGeneration(Slots slots, Resident resident, GenerationRequest request, boolean queued) {
        this.slots = slots;
        this.resident = resident;
        this.request = request;
        this.phase = queued ? Phase.QUEUED : Phase.STARTING;
    }

    void timeout(ScheduledFuture<?> future) {
        this.timeout = future;
    }

    /** Its deadline: when it fires the generation is cancelled with {@link FailureKind#DEADLINE}. */
    void deadline(ScheduledFuture<?> future) {
        this.deadline = future;
        if (released.get()) {
            future.cancel(false);
        }
    }

    /**
     * The finish reason of a generation cancelled for {@code kind}: a deadline cuts the output short like a token
     * limit ({@code length}, the text so far kept); every other cause is a cancel.
     */
    static FinishReason reasonOf(FailureKind kind) {
        return kind == FailureKind.DEADLINE ? FinishReason.LENGTH : FinishReason.CANCELLED;
    }

    /** True when its queue timeout has already fired: it must not wait again. */
    boolean timeoutPassed() {
        ScheduledFuture<?> t = timeout;
        return t != null && t.isDone() && !t.isCancelled();
    }

    /** Starts at once on a slot reserved for it. The engine's exception propagates; the caller frees the slot. */
    void startNow(LoadedModel loaded) {
        model = loaded;
        attach(loaded.generate(request));
    }

    /**
     * Called after it was handed a slot on {@code loaded}. Returns false when the model's worker turned out to
     * be gone before the generation started: it is waiting again, and the caller puts it back in the queue.
     */
    boolean promote(LoadedModel loaded) {
        boolean ended;
        lock.lock();
        try {
            ended = phase != Phase.QUEUED;
            if (!ended) {
                phase = Phase.STARTING;
                waitedMillis = millisSince(createdNanos);
            }
        } finally {
            lock.unlock();
        }
        if (ended) {
            // It left the queue while the slot was being handed over: pass the slot on.
            release(null, false);
            return true;
        }
        Generation d;
        try {
            d = loaded.generate(request);
        } catch (RuntimeException e) {
            if (backToQueueIfLost(loaded)) {
                return false;
            }
            FailureKind kind = e instanceof ContextOverflowException ? FailureKind.CONTEXT_FULL
                    : FailureKind.ENGINE_FAILURE;
            String message = e instanceof EngineException ? Safe.message(e.getMessage())
                    : "the generation could not be started";
            if (kind == FailureKind.CONTEXT_FULL) {
                GuardLog.debug(resident.name, "a queued generation does not fit a slot", e);
            } else {
                GuardLog.warning(resident.name, "a queued generation could not be started", e);
            }
            FailureKind cancel = cancelKind();
            if (cancel != null) {
                end(reasonOf(cancel), cancel, null);
            } else {
                end(FinishReason.ERROR, kind, message);
            }
            release(null, false);
            return true;
        }
        cancelTimeout();
        model = loaded;
        attach(d);
        return true;
    }

    /** After a failed start: when the worker is gone and nobody cancelled, waits again. */
    private boolean backToQueueIfLost(LoadedModel loaded) {
        if (Slots.alive(loaded)) {
            return false;
        }
        lock.lock();
        try {
            if (phase != Phase.STARTING || cancelledBy != null) {
                return false;
            }
            phase = Phase.QUEUED;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void attach(Generation d) {
        boolean cancelNow;
        lock.lock();
        try {
            delegate = d;
            phase = Phase.RUNNING;
            cancelNow = cancelledBy != null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (cancelNow) {
            d.cancel();
            release(partial(), true);
        }
    }

    /** Ends a generation that never reached the engine. Returns false when it already had a slot or ended. */
    boolean end(FinishReason reason, FailureKind kind, String error) {
        lock.lock();
        try {
            if (phase != Phase.QUEUED && phase != Phase.STARTING) {
                return false;
            }
            double waited = millisSince(createdNanos);
            phase = Phase.ENDED;
            localFinal = new GenerationEvent.Finished(reason, 0, 0, new Timings(waited, 0, 0, 0, 0, 0, waited), error,
                    kind);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        cancelTimeout();
        return true;
    }

    @Override
    public GenerationEvent poll(Duration timeout) throws InterruptedException {
        if (finalReturned) {
            throw new IllegalStateException("the final event was already returned");
        }
        long deadline = System.nanoTime() + saturatedNanos(timeout);
        Generation d;
        lock.lock();
        try {
            while (phase == Phase.QUEUED || phase == Phase.STARTING) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                changed.awaitNanos(left);
            }
            if (delegate == null) {
                finalReturned = true;
                return localFinal;
            }
            d = delegate;
        } finally {
            lock.unlock();
        }
        GenerationEvent event = d.poll(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (event instanceof GenerationEvent.Token token) {
            completionTokens = token.completionTokens();
        } else if (event instanceof GenerationEvent.Finished finished) {
            GenerationEvent.Finished adjusted = withOwnWait(typed(finished));
            finalReturned = true;
            release(adjusted, true);
            return adjusted;
        }
        return event;
    }

    @Override
    public void cancel() {
        cancel(FailureKind.CANCELLED);
    }

    /** Cancels it for {@code kind}: its consumer ({@link FailureKind#CANCELLED}), an unload, or shutdown. */
    void cancel(FailureKind kind) {
        Phase seen;
        Generation d = null;
        lock.lock();
        try {
            seen = phase;
            switch (phase) {
                case QUEUED -> {
                    double waited = millisSince(createdNanos);
                    phase = Phase.ENDED;
                    cancelledBy = kind;
                    localFinal = new GenerationEvent.Finished(reasonOf(kind), 0, 0,
                            new Timings(waited, 0, 0, 0, 0, 0, waited), null, kind);
                    changed.signalAll();
                }
                case STARTING -> cancelledBy = cancelledBy == null ? kind : cancelledBy;
                case RUNNING -> {
                    cancelledBy = cancelledBy == null ? kind : cancelledBy;
                    d = delegate;
                }
                case ENDED -> {
                }
            }
        } finally {
            lock.unlock();
        }
        if (seen == Phase.QUEUED) {
            cancelTimeout();
            resident.leaveQueue(this);
        } else if (d != null) {
            d.cancel();
            release(partial(), true);
        }
    }

    /** What cancelled it, or null. */
    FailureKind cancelKind() {
        lock.lock();
        try {
            return cancelledBy;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean started() {
        Generation d = delegate;
        return d != null && d.started();
    }

    /** True while it waits in the queue. */
    boolean queued() {
        lock.lock();
        try {
            return phase == Phase.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back the slot of a generation that could not be started. */
    void abandon() {
        release(null, false);
    }

    /**
     * Gives the slot back exactly once, when the engine has freed it: a cancelled generation may still run for
     * one step after its final event, and the engine refuses a generation beyond its free slots. {@code finished}
     * is null when nothing is known of the result.
     */
    private void release(GenerationEvent.Finished finished, boolean started) {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> d0 = deadline;
        if (d0 != null) {
            d0.cancel(false);
        }
        Generation d = delegate;
        CompletableFuture<Void> freed = d == null ? null : d.slotFreed().toCompletableFuture();
        if (freed == null || freed.isDone()) {
            slots.finished(this, finished, started, model);
        } else {
            // Not on the engine's thread that completed it: handing the slot on may start the next generation.
            freed.whenComplete((ignored, failure) ->
                    Thread.ofVirtual().name("cerebrum-slot-handover").start(
                            () -> slots.finished(this, finished, started, model)));
        }
    }

    /**
     * The engine's final event with the guard's knowledge added: a generation the guard cancelled ends as
     * cancelled for that cause, whatever the engine made of it; an error on a worker that is gone is a lost
     * worker.
     */
    private GenerationEvent.Finished typed(GenerationEvent.Finished f) {
        FailureKind cancel = cancelKind();
        if (cancel != null && cancel != FailureKind.CANCELLED
                && (f.reason() == FinishReason.CANCELLED || f.reason() == FinishReason.ERROR)) {
            return new GenerationEvent.Finished(reasonOf(cancel), f.promptTokens(), f.completionTokens(),
                    f.timings(), null, cancel);
        }
        if (f.reason() == FinishReason.ERROR && f.failure() == FailureKind.ENGINE_FAILURE && !Slots.alive(model)) {
            return new GenerationEvent.Finished(f.reason(), f.promptTokens(), f.completionTokens(), f.timings(),
                    f.error(), FailureKind.WORKER_LOST);
        }
        return f;
    }

    /** What is known of a generation cancelled before its final event was read. */
    private GenerationEvent.Finished partial() {
        FailureKind cancel = cancelKind();
        FailureKind kind = cancel == null ? FailureKind.CANCELLED : cancel;
        return new GenerationEvent.Finished(reasonOf(kind), 0, completionTokens, Timings.NONE, null, kind);
    }

    private GenerationEvent.Finished withOwnWait(GenerationEvent.Finished f) {
        double ours = waitedMillis;
        if (ours <= 0) {
            return f;
        }
        Timings t = f.timings();
        return f.withTimings(new Timings(t.queueMillis() + ours,
                t.timeToFirstTokenMillis() > 0 ? t.timeToFirstTokenMillis() + ours : 0,
                t.promptMillis(), t.decodeMillis(), t.promptTokensPerSecond(), t.decodeTokensPerSecond(),
                t.totalMillis() + ours, t.cachedTokens()));
    }

    private void cancelTimeout() {
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
    }

    private static double millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e6;
    }

    private static long saturatedNanos(Duration d) {
        if (d == null || d.isNegative()) {
            return 0;
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return TimeUnit.DAYS.toNanos(365);
        }
    }
}
