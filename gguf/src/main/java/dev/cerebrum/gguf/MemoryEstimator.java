package dev.cerebrum.gguf;

import dev.cerebrum.engine.MemoryEstimate;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Estimates the RAM a GGUF model needs in llama.cpp (CPU backend) for a context size and slot count. The two
 * llama.cpp builds the engines run size their buffers differently ({@link LlamaBuild}). All sizes in bytes;
 * {@code ctx} is the total context, {@code ub} the micro-batch {@code min(ctx, batchSize, 512)}. In both:
 * <ul>
 *   <li>weights = the sum of tensor data sizes (memory-mapped; resident once touched; an upper bound);</li>
 *   <li>KV cache = {@code n_layer * cells * (n_embd_k + n_embd_v) * 2} (f16 K and V), where
 *       {@code n_embd_k = key_length * n_head_kv} ({@code key_length} defaults to {@code n_embd / n_head}, and
 *       Qwen3 sets it wider), likewise for V;</li>
 *   <li>plus {@link #RUNTIME_OVERHEAD_BYTES} for the worker process, counted in the compute part.</li>
 * </ul>
 * <b>b4916</b> (de.kherud:llama 4.2.0, no flash attention): its weights count the repacked Q4_0 copy too
 * ({@link #repackedBytes(GgufFile, CpuFamily, LlamaBuild)}); cells = {@code ctx}; compute = the larger of the
 * attention peak {@code 4 * ub * (ctx * (n_head + 1) + 4 * n_embd)} (f32 KQ scores of every head, the f32 mask
 * and a few activations) and the output peak {@code 4 * ub * (n_vocab + 4 * n_embd)}, plus the logits output
 * buffer {@code 4 * n_vocab * slots}. It reported 5.51 MiB (successor model, ctx 512), 20.51 MiB (ctx 2048)
 * and 148.01 MiB (TinyLlama shape, ctx 2048), and a KV cache of 44 MiB for the latter, which the formulas give
 * to the hundredth of a MiB.
 *
 * <p><b>current</b> (the pinned llama.cpp of the FFM engine, flash attention on the CPU): the context is padded
 * to 256 and split into one stream per slot of {@code n_ctx_seq = pad(pad(ctx, 256) / slots, 256)} cells, so
 * cells = {@code n_ctx_seq * slots}; compute = the f16 attention mask {@code 2 * n_ctx_seq * ub} + the f32
 * logits of a micro-batch {@code 4 * n_vocab * ub} + activations {@code 16 * ub * widest}, where widest is the
 * largest of {@code n_embd}, the query width and the active feed-forward width ({@code n_ff}, or for a mixture
 * of experts {@code n_ff_exp * n_expert_used}), plus the logits output buffer {@code 4 * n_vocab * slots}.
 * llama.cpp's graph allocator reuses memory, so its figure moves with the shape (non-monotonically in the
 * context); this is an upper bound of what it logged for llama, qwen3 and qwen3moe shapes (checked by
 * engine-ffm's {@code MemoryEstimateIT}), and the KV cache is exact. Its weights also count the second copy
 * the CPU backend keeps of the matrices it repacks for faster kernels ({@link #repackedBytes}).
 */
public final class MemoryEstimator {

    /**
     * The fixed overhead of a worker process beside llama.cpp's buffers: 96 MiB. A JVM that has loaded the
     * native library and a tiny model was measured at about 80 MiB resident; the rest is margin.
     */
    public static final long RUNTIME_OVERHEAD_BYTES = 96L << 20;

    /** llama.cpp's default micro-batch size. */
    static final int DEFAULT_UBATCH = 512;

    /** llama.cpp pads the context, and each sequence's share of it, to a multiple of this. */
    static final int CONTEXT_PADDING = 256;

    /** The llama.cpp build whose buffers are estimated. */
    public enum LlamaBuild {
        /** b4916, inside de.kherud:llama 4.2.0 (the java-llama.cpp engine). */
        B4916,
        /** The pinned current llama.cpp of the FFM engine. */
        CURRENT
    }

    private MemoryEstimator() {
    }

    /** The b4916 estimate with llama.cpp's default batch size of 512. */
    public static MemoryEstimate estimate(GgufFile file, int contextSize, int parallel) {
        return estimate(file, contextSize, parallel, DEFAULT_UBATCH);
    }

    /** The b4916 estimate for {@code contextSize} tokens in all (0 = the trained context) shared by {@code parallel} slots. */
    public static MemoryEstimate estimate(GgufFile file, int contextSize, int parallel, int batchSize) {
        return estimate(file, contextSize, parallel, batchSize, LlamaBuild.B4916);
    }

    /** The estimate for {@code build}, for {@code contextSize} tokens in all (0 = the trained context) and {@code parallel} slots. */
    public static MemoryEstimate estimate(GgufFile file, int contextSize, int parallel, int batchSize, LlamaBuild build) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(build, "build");
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
        long keyLength = optional(file, arch + ".attention.key_length", headDim);
        long nEmbdK = keyLength * nHeadKv;
        long nEmbdV = optional(file, arch + ".attention.value_length", headDim) * nHeadKv;
        long ub = Math.min(ctx, Math.min(batchSize, DEFAULT_UBATCH));
        long logits = 4 * nVocab * parallel;

        long weights = file.tensorBytes() + repackedBytes(file, CpuFamily.current(), build);
        if (build == LlamaBuild.B4916) {
            long kv = Math.multiplyExact(Math.multiplyExact(nLayer, ctx), (nEmbdK + nEmbdV) * 2);
            long attention = 4 * ub * (ctx * (nHead + 1) + 4 * nEmbd);
            long output = 4 * ub * (nVocab + 4 * nEmbd);
            return new MemoryEstimate(weights, kv, Math.max(attention, output) + logits + RUNTIME_OVERHEAD_BYTES);
        }
        long sequenceCells = pad(pad(ctx) / parallel);
        long kv = Math.multiplyExact(Math.multiplyExact(nLayer, sequenceCells * parallel), (nEmbdK + nEmbdV) * 2);
        long experts = optional(file, arch + ".expert_count", 0);
        long feedForward = experts > 0
                ? optional(file, arch + ".expert_feed_forward_length", file.feedForwardLength())
                    * optional(file, arch + ".expert_used_count", 1)
                : file.feedForwardLength();
        long widest = Math.max(nEmbd, Math.max(keyLength * nHead, feedForward));
        long mask = 2 * sequenceCells * ub;
        long compute = mask + 4 * nVocab * ub + 16 * ub * widest;
        return new MemoryEstimate(weights, kv, compute + logits + RUNTIME_OVERHEAD_BYTES);
    }

    /** The processor families whose repacking rules differ. */
    public enum CpuFamily {
        /** x86-64 with AVX2 (the CPU variants the pinned natives choose from on such a machine). */
        X86_64,
        /** 64-bit ARM with NEON dot products. */
        AARCH64,
        /** Anything else: no repacking assumed. */
        OTHER;

        /** The family of this JVM's processor ({@code os.arch}). */
        public static CpuFamily current() {
            return switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
                case "amd64", "x86_64" -> X86_64;
                case "aarch64", "arm64" -> AARCH64;
                default -> OTHER;
            };
        }
    }

    private static final Set<GgmlType> REPACKED_X86 = EnumSet.of(GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.IQ4_NL,
            GgmlType.MXFP4, GgmlType.Q2_K);
    private static final Set<GgmlType> REPACKED_ARM = EnumSet.of(GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_K,
            GgmlType.Q6_K, GgmlType.IQ4_NL, GgmlType.MXFP4, GgmlType.Q8_0);
    /** b4916's repacking ("CPU_AARCH64" buffer): its library holds tensor_traits of Q4_0 and IQ4_NL only. */
    private static final Set<GgmlType> REPACKED_X86_B4916 = EnumSet.of(GgmlType.Q4_0);
    private static final Set<GgmlType> REPACKED_ARM_B4916 = EnumSet.of(GgmlType.Q4_0, GgmlType.IQ4_NL);

    /**
     * The bytes of the second copy the current llama.cpp keeps of the weights it repacks. With
     * {@code use_extra_bufts} (on by default) the CPU backend puts every matrix that is multiplied
     * ({@code MUL_MAT}, {@code MUL_MAT_ID} for experts) and whose type it has an interleaved kernel for into a
     * "CPU_REPACK" buffer: a copy in anonymous memory, while the file's pages of the original stay mapped (they
     * were read to repack). The rules are {@code ggml_repack_get_optimal_repack_type} of ggml-cpu's
     * {@code repack.cpp} at the pinned source: on x86-64 with AVX2, Q4_0, Q4_K, IQ4_NL and MXFP4 (and Q2_K with
     * AVX-512) matrices whose rows come in eights; on ARM with dot products also Q5_K, Q6_K and Q8_0, Q4_0, IQ4_NL
     * and MXFP4 in fours. Embedding tables are looked up ({@code GET_ROWS}), not multiplied, and stay as they are.
     * Measured on a random TinyLlama-shape Q4_0 model (590 MiB of tensors): 1,269 MiB resident with repacking,
     * 741 MiB without; llama.cpp logged a CPU_REPACK buffer of 554.91 MiB, which this gives to the hundredth.
     */
    public static long repackedBytes(GgufFile file, CpuFamily family) {
        return repackedBytes(file, family, LlamaBuild.CURRENT);
    }

    /**
     * The repacked copy of {@code build}. b4916 repacks too (its "CPU_AARCH64" buffer type, on x86-64 as well):
     * Q4_0 matrices with AVX2, and IQ4_NL with ARM dot products, as the template instances in the binding's
     * library show. The binding's process holding the TinyLlama-shape Q4_0 model was measured at 671 MB
     * anonymous memory beside 615 MB of the mapped file.
     */
    public static long repackedBytes(GgufFile file, CpuFamily family, LlamaBuild build) {
        boolean old = build == LlamaBuild.B4916;
        Set<GgmlType> types = switch (family) {
            case X86_64 -> old ? REPACKED_X86_B4916 : REPACKED_X86;
            case AARCH64 -> old ? REPACKED_ARM_B4916 : REPACKED_ARM;
            case OTHER -> Set.of();
        };
        int rows = family == CpuFamily.X86_64 ? 8 : 4;
        long bytes = 0;
        for (GgufFile.TensorInfo t : file.tensors()) {
            boolean lookedUp = !t.name().startsWith("blk.") && t.name().contains("embd");
            boolean matrix = t.dims().size() == 2 || t.dims().size() == 3;
            if (!lookedUp && matrix && types.contains(t.type()) && t.dims().get(1) % rows == 0) {
                bytes += t.byteSize();
            }
        }
        return bytes;
    }

    private static long pad(long cells) {
        return (cells + CONTEXT_PADDING - 1) / CONTEXT_PADDING * CONTEXT_PADDING;
    }

    private static long optional(GgufFile file, String key, long fallback) {
        return file.metadata().containsKey(key) ? file.positiveInteger(key) : fallback;
    }
}
