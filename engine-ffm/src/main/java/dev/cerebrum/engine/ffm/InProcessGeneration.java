package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.Timings;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The consumer's handle of one generation of the in-process engine. The core holds only its {@link Events}, so a
 * handle dropped without being closed becomes unreachable and the cleaner cancels it: an abandoned stream never
 * keeps a slot generating.
 */
final class InProcessGeneration implements Generation {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Events events;
    private final Cleaner.Cleanable cleanable;

    InProcessGeneration(Events events) {
        this.events = events;
        this.cleanable = CLEANER.register(this, events::cancel);
    }

    @Override
    public GenerationEvent poll(Duration timeout) throws InterruptedException {
        GenerationEvent event = events.poll(timeout);
        if (event instanceof GenerationEvent.Finished) {
            cleanable.clean();
        }
        return event;
    }

    /** The stream ends with CANCELLED at once; the core ends the generation before its next step. */
    @Override
    public void cancel() {
        cleanable.clean();
    }

    /** True: the core reserved a slot when it accepted the generation. */
    @Override
    public boolean started() {
        return true;
    }

    @Override
    public CompletionStage<Void> slotFreed() {
        return events.slotFreed.minimalCompletionStage();
    }

    /** One generation's events from the decode thread, waiting for the consumer. */
    static final class Events implements EventSink {
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

        GenerationEvent poll(Duration timeout) throws InterruptedException {
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

        /** Unless finished: the consumer sees CANCELLED at once, the slot frees when the core has ended it. */
        void cancel() {
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
}
