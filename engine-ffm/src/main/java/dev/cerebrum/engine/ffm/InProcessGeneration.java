package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.Timings;
import dev.cerebrum.engine.worker.GenerationEvents;
import dev.cerebrum.engine.worker.GenerationHandle;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One generation of the in-process engine: its events from the decode thread, waiting for the consumer. The
 * consumer gets it wrapped in a {@link GenerationHandle}; the core keeps only this, as its sink.
 */
final class InProcessGeneration implements Generation, EventSink {
    private final long createdNanos = System.nanoTime();
    private final GenerationEvents events = new GenerationEvents();
    private final CompletableFuture<Void> slotFreed = new CompletableFuture<>();
    private volatile Submission submission;
    /** Written by the decode thread only. */
    private volatile int completionTokens;

    void submitted(Submission submission) {
        this.submission = submission;
    }

    @Override
    public void onEvent(GenerationEvent event) {
        if (event instanceof GenerationEvent.Finished) {
            // The core freed the slot before this event. Whoever waits for it hands the slot on, which must not
            // run on the decode thread (it may submit the next generation there and stall every slot).
            Thread.startVirtualThread(() -> slotFreed.complete(null));
        } else if (event instanceof GenerationEvent.Token token) {
            completionTokens = token.completionTokens();
        }
        events.add(event);
    }

    @Override
    public GenerationEvent poll(Duration timeout) throws InterruptedException {
        return events.poll(timeout);
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
        boolean cancelled = events.cancel(() -> new GenerationEvent.Finished(FinishReason.CANCELLED,
                s == null ? 0 : s.promptTokens(), completionTokens,
                new Timings(0, 0, 0, 0, 0, 0, (System.nanoTime() - createdNanos) / 1e6), null));
        if (cancelled && s != null) {
            s.cancel();
        }
    }
}
