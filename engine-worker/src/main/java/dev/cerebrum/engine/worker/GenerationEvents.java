package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.GenerationEvent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A generation's events on their way to its one consumer: tokens, then one final event, and nothing after it. A
 * cancel drops the tokens not yet read and queues its final event at once. Thread-safe.
 */
public final class GenerationEvents {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<GenerationEvent> events = new ArrayDeque<>();
    private boolean finishQueued;
    private boolean finishTaken;

    /**
     * Queues {@code event} unless the final event is queued already; a {@link GenerationEvent.Finished} is the
     * final event. Returns whether it was queued.
     */
    public boolean add(GenerationEvent event) {
        lock.lock();
        try {
            if (finishQueued) {
                return false;
            }
            finishQueued = event instanceof GenerationEvent.Finished;
            events.addLast(event);
            available.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Unless the final event is queued already: drops the queued tokens and queues the final event that
     * {@code cancelled} makes. Returns whether it did. {@code cancelled} runs under this queue's lock, so a lock
     * it takes must never be held while adding here.
     */
    public boolean cancel(Supplier<GenerationEvent.Finished> cancelled) {
        lock.lock();
        try {
            if (finishQueued) {
                return false;
            }
            events.clear();
            finishQueued = true;
            events.addLast(cancelled.get());
            available.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next event, waiting at most {@code timeout}; null when none came.
     *
     * @throws IllegalStateException when the final event was taken already
     */
    public GenerationEvent poll(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            if (finishTaken) {
                throw new IllegalStateException("the generation has already finished");
            }
            while (events.isEmpty()) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = available.awaitNanos(nanos);
            }
            GenerationEvent event = events.removeFirst();
            finishTaken = event instanceof GenerationEvent.Finished;
            return event;
        } finally {
            lock.unlock();
        }
    }
}
