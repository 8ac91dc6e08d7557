package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.Timings;
import dev.cerebrum.engine.worker.GenerationHandle;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One generation of the in-process engine: its events from the decode thread, waiting for the consumer. The
 * consumer gets it wrapped in a {@link GenerationHandle}; the core keeps only this, as its sink.
 */
final class InProcessGeneration implements Generation, EventSink {
    private final long createdNanos = System.nanoTime();
    private final LinkedBlockingQueue<GenerationEvent> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> slotFreed = new CompletableFuture<>();
    private volatile Submission submission;
    // Guarded by this.
    private boolean finishQueued;
    private int completionTokens;
    /** Read and written by the consumer only. */
    private boolean finishTaken;

    void submitted(Submission submission) {
        this.submission = submission;
    }

    @Override
    public void onEvent(GenerationEvent event) {
        if (event instanceof GenerationEvent.Finished) {
            // The core freed the slot before this event. Whoever waits for it hands the slot on, which must not
            // run on the decode thread (it may submit the next generation there and stall every slot).
            Thread.startVirtualThread(() -> slotFreed.complete(null));
        }
        synchronized (this) {
            if (finishQueued) {
                return;
            }
            if (event instanceof GenerationEvent.Token token) {
                completionTokens = token.completionTokens();
            } else {
                finishQueued = true;
            }
            queue.add(event);
        }
    }

    @Override
    public GenerationEvent poll(Duration timeout) throws InterruptedException {
        if (finishTaken) {
            throw new IllegalStateException("the generation has already finished");
        }
        GenerationEvent event = queue.poll();
        if (event == null) {
            event = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (event instanceof GenerationEvent.Finished) {
            finishTaken = true;
        }
        return event;
    }

    /** True: the core reserved a slot when it accepted the generation. */
    @Override
    public boolean started() {
        return true;
    }

    @Override
    public CompletionStage<Void> slotFreed() {
        return slotFreed.minimalCompletionStage();
    }

    /**
     * Unless finished: the consumer sees CANCELLED at once, and the core ends the generation before its next step
     * and frees the slot.
     */
    @Override
    public void cancel() {
        Submission s = submission;
        synchronized (this) {
            if (finishQueued) {
                return;
            }
            finishQueued = true;
            queue.clear();
            double millis = (System.nanoTime() - createdNanos) / 1e6;
            queue.add(new GenerationEvent.Finished(FinishReason.CANCELLED, s == null ? 0 : s.promptTokens(),
                    completionTokens, new Timings(0, 0, 0, 0, 0, 0, millis), null));
        }
        if (s != null) {
            s.cancel();
        }
    }
}
