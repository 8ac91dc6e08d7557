package dev.cerebrum.gguf;

import dev.cerebrum.engine.MemoryEstimate;

import java.util.Objects;

/**
 * Estimates the RAM a GGUF model needs in llama.cpp (CPU backend, no flash attention) for a context
 * size and slot count. All sizes in bytes; {@code ctx} is the total context, {@code ub} the micro-batch
 * {@code min(ctx, batchSize, 512)}:
 * <ul>
 *   <li>weights = the sum of tensor data sizes (memory-mapped; resident once touched);</li>
 *   <li>KV cache = {@code n_layer * ctx * (n_embd_k + n_embd_v) * 2} (f16 K and V), where
 *       {@code n_embd_k = n_embd_v = n_embd / n_head * n_head_kv} unless the file gives
 *       {@code key_length}/{@code value_length}; all slots share it, so it does not grow with them;</li>
 *   <li>compute = the graph buffer, the larger of the attention peak
 *       {@code 4 * ub * (ctx * (n_head + 1) + 4 * n_embd)} (f32 KQ scores of every head, the f32 mask and
 *       a few activations) and the output peak {@code 4 * ub * (n_vocab + 4 * n_embd)} (f32 logits of a
 *       full micro-batch); plus the logits output buffer {@code 4 * n_vocab * slots}; plus
 *       {@link #RUNTIME_OVERHEAD_BYTES} for the worker process.</li>
 * </ul>
 * Checked against llama.cpp b4916 (de.kherud:llama 4.2.0): it reported a compute buffer of 5.51 MiB
 * (successor model, ctx 512), 20.51 MiB (ctx 2048) and 148.01 MiB (TinyLlama shape, ctx 2048), and a KV
 * cache of 44 MiB for the latter, which the formulas give to the hundredth of a MiB. Weights are an upper
 * bound of what is resident: pages of the mapped file count only once touched.
 */
public final class MemoryEstimator {

    /**
     * The fixed overhead of a worker process beside llama.cpp's buffers: 96 MiB. A JVM that has loaded the
     * native library and a tiny model was measured at about 80 MiB resident; the rest is margin.
     */
    public static final long RUNTIME_OVERHEAD_BYTES = 96L << 20;

    /** llama.cpp's default micro-batch size. */
    static final int DEFAULT_UBATCH = 512;

    private MemoryEstimator() {
    }

    /** The estimate with llama.cpp's default batch size of 512. */
    public static MemoryEstimate estimate(GgufFile file, int contextSize, int parallel) {
        return estimate(file, contextSize, parallel, DEFAULT_UBATCH);
    }

    /** The estimate for {@code contextSize} tokens in all (0 = the trained context) shared by {@code parallel} slots. */
    public static MemoryEstimate estimate(GgufFile file, int contextSize, int parallel, int batchSize) {
        Objects.requireNonNull(file, "file");
        if (contextSize < 0 || parallel < 1 || batchSize < 1) {
            throw new IllegalArgumentException("context size must be >= 0, slots and batch size >= 1");
        }
        long ctx = contextSize == 0 ? file.contextLength() : contextSize;
        long nLayer = file.blockCount();
        long nEmbd = file.embeddingLength();
        long nHead = file.headCount();
        long nHeadKv = file.headCountKv();
        long nVocab = file.vocabSize();
        long headDim = nEmbd / nHead;
        String arch = file.architecture();
        long nEmbdK = optional(file, arch + ".attention.key_length", headDim) * nHeadKv;
        long nEmbdV = optional(file, arch + ".attention.value_length", headDim) * nHeadKv;

        long kv = Math.multiplyExact(Math.multiplyExact(nLayer, ctx), (nEmbdK + nEmbdV) * 2);
        long ub = Math.min(ctx, Math.min(batchSize, DEFAULT_UBATCH));
        long attention = 4 * ub * (ctx * (nHead + 1) + 4 * nEmbd);
        long output = 4 * ub * (nVocab + 4 * nEmbd);
        long logits = 4 * nVocab * parallel;
        long compute = Math.max(attention, output) + logits + RUNTIME_OVERHEAD_BYTES;
        return new MemoryEstimate(file.tensorBytes(), kv, compute);
    }

    private static long optional(GgufFile file, String key, long fallback) {
        return file.metadata().containsKey(key) ? file.positiveInteger(key) : fallback;
    }
}
