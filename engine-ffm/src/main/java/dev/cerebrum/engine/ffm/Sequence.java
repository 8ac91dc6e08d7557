package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.Timings;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * One generation inside a {@link GenerationCore}: its tokenised prompt, its sampler chain, and where it is.
 * The fields without {@code volatile} belong to the decode thread.
 */
final class Sequence implements Submission {

    final GenerationRequest request;
    final int[] prompt;
    final MemorySegment sampler;
    final EventSink sink;
    final TextAssembler text;
    final long submittedNanos = System.nanoTime();
    private final Runnable wake;

    private volatile boolean cancelRequested;
    private volatile boolean done;
    private volatile int promptProcessed;
    private volatile int sampled;

    /** The slot (and sequence id) while it has one, else -1. */
    int slot = -1;
    /** Tokens of this sequence in the KV cache. */
    int cached;
    /** The tokens of its cells: the prompt, then each sampled token once decoded (slot context long). */
    int[] tokens;
    /** Prompt tokens found in the slot's cache at the start, not processed again. */
    int reused;
    /** The token to decode next, once the prompt is processed. */
    int nextToken;
    /** The index of this sequence's output in the current batch, or -1 if it has none. */
    int outputIndex = -1;
    /** Where the prompt chunk of the current step ends. */
    int chunkEnd;
    long startedNanos;
    long firstTokenNanos;
    long lastTokenNanos;

    Sequence(GenerationRequest request, int[] prompt, MemorySegment sampler, EventSink sink, Runnable wake) {
        this.request = request;
        this.prompt = prompt;
        this.sampler = sampler;
        this.sink = sink;
        this.wake = wake;
        this.text = new TextAssembler(request.stop());
    }

    @Override
    public void cancel() {
        if (!done) {
            cancelRequested = true;
            wake.run();
        }
    }

    @Override
    public int promptTokens() {
        return prompt.length;
    }

    @Override
    public int promptProcessed() {
        return promptProcessed;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    boolean prefilling() {
        return promptProcessed < prompt.length;
    }

    void promptProcessed(int tokens) {
        promptProcessed = tokens;
    }

    int sampled() {
        return sampled;
    }

    void sampledOneMore() {
        sampled++;
    }

    SlotPhase phase() {
        return done || slot < 0 ? SlotPhase.IDLE : prefilling() ? SlotPhase.PREFILLING : SlotPhase.DECODING;
    }

    /** Tells the sink a prompt chunk was processed; a sink that throws cancels its own generation. */
    void promptChunk() {
        try {
            sink.onPromptChunk(promptProcessed, prompt.length);
        } catch (RuntimeException e) {
            cancelRequested = true;
            System.getLogger(GenerationCore.class.getName()).log(System.Logger.Level.WARNING,
                    "an event sink failed; its generation is cancelled", e);
        }
    }

    /** Sends an event; a sink that throws cancels its own generation and nothing else. */
    void send(GenerationEvent event) {
        try {
            sink.onEvent(event);
        } catch (RuntimeException e) {
            cancelRequested = true;
            System.getLogger(GenerationCore.class.getName()).log(System.Logger.Level.WARNING,
                    "an event sink failed; its generation is cancelled", e);
        }
    }

    /**
     * The final event; marks the sequence done. A generation cut by a limit ({@code max_tokens} or a full slot)
     * counts every token it sampled, even when the cut fell inside a character whose bytes are then never
     * shown; otherwise the tokens of the returned text count.
     */
    GenerationEvent.Finished finished(FinishReason reason, String error) {
        done = true;
        int completion = completionTokens(reason);
        return new GenerationEvent.Finished(reason, prompt.length, completion, timings(System.nanoTime(), completion),
                error);
    }

    private int completionTokens(FinishReason reason) {
        return reason == FinishReason.LENGTH ? sampled : text.countedTokens();
    }

    private Timings timings(long endNanos, int completion) {
        double total = millis(endNanos - submittedNanos);
        if (startedNanos == 0) {
            return new Timings(total, 0, 0, 0, 0, 0, total);
        }
        double queue = millis(startedNanos - submittedNanos);
        if (firstTokenNanos == 0) {
            return new Timings(queue, 0, 0, 0, 0, 0, total);
        }
        double promptMillis = millis(firstTokenNanos - startedNanos);
        double decodeMillis = millis(lastTokenNanos - firstTokenNanos);
        return new Timings(queue, millis(firstTokenNanos - submittedNanos), promptMillis, decodeMillis,
                promptMillis > 0 ? (prompt.length - reused) * 1000.0 / promptMillis : 0,
                decodeMillis > 0 && completion > 1 ? (completion - 1) * 1000.0 / decodeMillis : 0, total, reused);
    }

    private static double millis(long nanos) {
        return nanos / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }
}
