package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.ModelSpec;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link GenerationCore} loads its model.
 *
 * @param model          the GGUF file
 * @param contextSize    total context in tokens; each slot may use {@code contextSize / slots}
 * @param slots          parallel generations ({@code n_seq_max}); each slot is one llama.cpp sequence
 * @param threads        threads for generation steps ({@code n_threads})
 * @param batchThreads   threads for steps of several tokens, prompts included ({@code n_threads_batch})
 * @param batchSize      the most tokens one decode step holds ({@code n_batch})
 * @param microBatchSize the physical batch ({@code n_ubatch}), at most {@code batchSize}
 * @param prefillChunk   the most prompt tokens of one generation in one step (the chunk while no other slot
 *                       decodes; beside decoding slots the {@link ChunkPolicy} takes less); a cancel or another
 *                       slot's next token waits at most one chunk
 * @param kvUnified      one KV buffer shared by all sequences ({@code kv_unified}); needed to copy part of one
 *                       sequence into another ({@code llama_memory_seq_cp})
 * @param mmap           map the file instead of reading it
 * @param seed           the sampling seed of requests that name none
 */
public record CoreConfig(Path model, int contextSize, int slots, int threads, int batchThreads, int batchSize,
                         int microBatchSize, int prefillChunk, boolean kvUnified, boolean mmap, long seed) {

    /** llama.cpp's default physical batch. */
    public static final int DEFAULT_MICRO_BATCH = 512;

    public CoreConfig {
        Objects.requireNonNull(model, "model");
        if (slots < 1 || slots > 64) {
            throw new IllegalArgumentException("slots must be 1..64, was " + slots);
        }
        if (contextSize < 16 * slots) {
            throw new IllegalArgumentException("context size " + contextSize + " is too small for " + slots + " slots");
        }
        if (threads < 1 || batchThreads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        if (batchSize < slots + 1 || microBatchSize < 1 || microBatchSize > batchSize) {
            throw new IllegalArgumentException("the batch (" + batchSize + ") must hold a token of every slot and one more,"
                    + " and the micro-batch (" + microBatchSize + ") must be 1.." + batchSize);
        }
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("the prefill chunk must be at least 1 token");
        }
    }

    /** The configuration of {@code spec}: its batch size is both the batch and the prefill chunk. */
    public static CoreConfig of(ModelSpec spec) {
        int batch = Math.max(spec.batchSize(), spec.parallel() + 1);
        return new CoreConfig(spec.path(), spec.contextSize(), spec.parallel(), spec.threads(), spec.batchThreads(),
                batch, Math.min(DEFAULT_MICRO_BATCH, batch), batch, false, true, spec.seed());
    }

    /** Tokens of context one generation can use: prompt and completion together. */
    public int slotContext() {
        return contextSize / slots;
    }

    /** A copy with another prefill chunk. */
    public CoreConfig withPrefillChunk(int tokens) {
        return new CoreConfig(model, contextSize, slots, threads, batchThreads, batchSize, microBatchSize, tokens,
                kvUnified, mmap, seed);
    }
}
