package dev.cerebrum.guard;

import dev.cerebrum.engine.EngineException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.Timings;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A generation as the manager hands it out: it waits in the model's queue until the manager gives it
 * a slot, then reads the engine's stream. It gives its slot back exactly once, on the final event or
 * on cancel, and adds its own queue wait to the final event's timings.
 */
final class ManagedGeneration implements Generation {
    enum Phase { QUEUED, STARTING, RUNNING, ENDED }

    final Resident resident;
    private final ModelManager manager;
    private final GenerationRequest request;
    private final long createdNanos = System.nanoTime();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicBoolean released = new AtomicBoolean();

    private Phase phase;
    private boolean cancelRequested;
    private volatile Generation delegate;
    private GenerationEvent.Finished localFinal;
    private volatile double waitedMillis;
    private volatile int completionTokens;
    private volatile ScheduledFuture<?> timeout;
    private boolean finalReturned;

    ManagedGeneration(ModelManager manager, Resident resident, GenerationRequest request, boolean queued) {
        this.manager = manager;
        this.resident = resident;
        this.request = request;
        this.phase = queued ? Phase.QUEUED : Phase.STARTING;
    }

    void timeout(ScheduledFuture<?> future) {
        this.timeout = future;
    }

    /** Starts at once on a slot reserved for it. The engine's exception propagates; the caller frees the slot. */
    void startNow(LoadedModel model) {
        attach(model.generate(request));
    }

    /** Called by the manager after it handed this waiting generation a slot. */
    void promote(LoadedModel model) {
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
            return;
        }
        cancelTimeout();
        Generation d;
        try {
            if (model == null) {
                throw new EngineException("the model is no longer loaded");
            }
            d = model.generate(request);
        } catch (RuntimeException e) {
            String message = e instanceof EngineException ? Safe.message(e.getMessage())
                    : "the generation could not be started";
            end(FinishReason.ERROR, message);
            release(null, false);
            return;
        }
        attach(d);
    }

    private void attach(Generation d) {
        boolean cancelNow;
        lock.lock();
        try {
            delegate = d;
            phase = Phase.RUNNING;
            cancelNow = cancelRequested;
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
    boolean end(FinishReason reason, String error) {
        lock.lock();
        try {
            if (phase != Phase.QUEUED && phase != Phase.STARTING) {
                return false;
            }
            double waited = millisSince(createdNanos);
            phase = Phase.ENDED;
            localFinal = new GenerationEvent.Finished(reason, 0, 0,
                    new Timings(waited, 0, 0, 0, 0, 0, waited), error);
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
            GenerationEvent.Finished adjusted = withOwnWait(finished);
            finalReturned = true;
            release(adjusted, true);
            return adjusted;
        }
        return event;
    }

    @Override
    public void cancel() {
        Phase seen;
        Generation d = null;
        lock.lock();
        try {
            seen = phase;
            switch (phase) {
                case QUEUED -> {
                    double waited = millisSince(createdNanos);
                    phase = Phase.ENDED;
                    localFinal = new GenerationEvent.Finished(FinishReason.CANCELLED, 0, 0,
                            new Timings(waited, 0, 0, 0, 0, 0, waited), null);
                    changed.signalAll();
                }
                case STARTING -> cancelRequested = true;
                case RUNNING -> {
                    cancelRequested = true;
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
            manager.leaveQueue(this);
        } else if (d != null) {
            d.cancel();
            release(partial(), true);
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

    /** Gives the slot back exactly once. {@code finished} is null when nothing is known of the result. */
    private void release(GenerationEvent.Finished finished, boolean started) {
        if (released.compareAndSet(false, true)) {
            manager.finished(this, finished, started);
        }
    }

    /** What is known of a generation cancelled before its final event was read. */
    private GenerationEvent.Finished partial() {
        return new GenerationEvent.Finished(FinishReason.CANCELLED, 0, completionTokens, Timings.NONE, null);
    }

    private GenerationEvent.Finished withOwnWait(GenerationEvent.Finished f) {
        double ours = waitedMillis;
        if (ours <= 0) {
            return f;
        }
        Timings t = f.timings();
        Timings adjusted = new Timings(t.queueMillis() + ours,
                t.timeToFirstTokenMillis() > 0 ? t.timeToFirstTokenMillis() + ours : 0,
                t.promptMillis(), t.decodeMillis(), t.promptTokensPerSecond(), t.decodeTokensPerSecond(),
                t.totalMillis() + ours);
        return new GenerationEvent.Finished(f.reason(), f.promptTokens(), f.completionTokens(), adjusted, f.error());
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
