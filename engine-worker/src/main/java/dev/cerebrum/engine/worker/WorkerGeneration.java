package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.Timings;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Outcome;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One generation on the engine's side: where it is in the worker, and what its consumer has still to read. The
 * consumer gets it wrapped in a {@link GenerationHandle}; the model keeps only this.
 */
final class WorkerGeneration implements Generation {
    final int id;
    final GenerationRequest request;
    final int promptTokens;
    /** The encoded GENERATE message, checked against the frame limit before the generation queues. */
    final byte[] frame;
    final long submitNanos = System.nanoTime();
    /** Completes when the worker has ended the native task (or is gone): its slot is free. */
    final CompletableFuture<Void> slotFreed = new CompletableFuture<>();
    private final WorkerModel model;

    /** Set when the generation got its slot. */
    volatile long dispatchNanos;
    /** True once the worker sent output for it: its prompt is processed (the watchdog's allowance ends). */
    volatile boolean producing;
    /** Guards the timings and counts below; never held while an event is queued. */
    private final ReentrantLock lock = new ReentrantLock();
    private long firstNanos;
    private long lastNanos;
    private int outputs;
    private int countedTokens;
    private int cachedTokens;

    // Guarded by the model's send lock: whether GENERATE and CANCEL went out.
    boolean sent;
    boolean cancelSent;

    private final GenerationEvents events = new GenerationEvents();
    private volatile boolean cancelled;

    WorkerGeneration(WorkerModel model, int id, GenerationRequest request, int promptTokens, byte[] frame) {
        this.model = model;
        this.id = id;
        this.request = request;
        this.promptTokens = promptTokens;
        this.frame = frame;
    }

    @Override
    public GenerationEvent poll(Duration timeout) throws InterruptedException {
        return events.poll(timeout);
    }

    @Override
    public boolean started() {
        return dispatchNanos != 0;
    }

    @Override
    public CompletionStage<Void> slotFreed() {
        return slotFreed.minimalCompletionStage();
    }

    /** Cancels unless finished: the consumer sees CANCELLED at once; the slot frees when the worker confirms. */
    @Override
    public void cancel() {
        if (events.cancel(() -> finished(FinishReason.CANCELLED, countedTokensSnapshot(), null))) {
            // Before the model looks: a generation not yet sent is then cancelled as soon as it is.
            cancelled = true;
            model.cancel(this);
        }
    }

    boolean isCancelled() {
        return cancelled;
    }

    /**
     * Output from the worker: text (never shown when empty) and the completion tokens of the text so
     * far. The first piece, empty or not, ends the prompt phase of the timings.
     */
    void onPiece(String text, int completionTokens) {
        long now = System.nanoTime();
        producing = true;
        lock.lock();
        try {
            if (outputs == 0) {
                firstNanos = now;
            }
            lastNanos = now;
            outputs++;
            if (!text.isEmpty()) {
                countedTokens = completionTokens;
            }
        } finally {
            lock.unlock();
        }
        if (!text.isEmpty()) {
            events.add(new GenerationEvent.Token(text, completionTokens));
        }
    }

    /** The worker ended the generation; a cancelled one has already finished for its consumer. */
    void onEnd(Outcome outcome, int completionTokens, String message, int cachedTokens) {
        lock.lock();
        try {
            this.cachedTokens = cachedTokens;
        } finally {
            lock.unlock();
        }
        switch (outcome) {
            case STOP -> finishWith(FinishReason.STOP, completionTokens, null);
            case LENGTH, CONTEXT_FULL -> finishWith(FinishReason.LENGTH, completionTokens, null);
            case CANCELLED -> finishWith(FinishReason.CANCELLED, completionTokens, null);
            case FAILED -> onFailed("generation failed: " + message);
        }
    }

    /** The generation failed; the message is for the client. */
    void onFailed(String message) {
        finishWith(FinishReason.ERROR, countedTokensSnapshot(), message);
    }

    private int countedTokensSnapshot() {
        lock.lock();
        try {
            return countedTokens;
        } finally {
            lock.unlock();
        }
    }

    private void finishWith(FinishReason reason, int completionTokens, String error) {
        events.add(finished(reason, completionTokens, error));
    }

    private GenerationEvent.Finished finished(FinishReason reason, int completionTokens, String error) {
        long now = System.nanoTime();
        lock.lock();
        try {
            return new GenerationEvent.Finished(reason, promptTokens, completionTokens, timings(now, completionTokens),
                    error);
        } finally {
            lock.unlock();
        }
    }

    private Timings timings(long endNanos, int completionTokens) {
        long dispatch = dispatchNanos;
        double queue = dispatch == 0 ? millis(endNanos - submitNanos) : millis(dispatch - submitNanos);
        if (dispatch == 0 || outputs == 0) {
            return new Timings(queue, 0, 0, 0, 0, 0, millis(endNanos - submitNanos));
        }
        double prompt = millis(firstNanos - dispatch);
        double decode = millis(lastNanos - firstNanos);
        double promptRate = prompt > 0 ? (promptTokens - cachedTokens) * 1000.0 / prompt : 0;
        double decodeRate = decode > 0 && completionTokens > 1 ? (completionTokens - 1) * 1000.0 / decode : 0;
        return new Timings(queue, millis(firstNanos - submitNanos), prompt, decode, promptRate, decodeRate,
                millis(endNanos - submitNanos), cachedTokens);
    }

    private static double millis(long nanos) {
        return nanos / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }
}
