package dev.cerebrum.gguf;

import java.util.Locale;
import java.util.Objects;

/**
 * The shape of a transformer model of one of the architectures the synthetic models are written in.
 *
 * @param architecture      the GGUF architecture
 * @param blockCount        transformer blocks
 * @param embeddingLength   embedding width (a multiple of 32)
 * @param feedForwardLength feed-forward width (a multiple of 32); for a mixture of experts, each expert's width
 * @param headCount         attention heads
 * @param headCountKv       key/value heads (divides the head count)
 * @param headDimension     the width of one attention head ({@code key_length}); llama uses
 *                          {@code embeddingLength / headCount}, Qwen3 often more
 * @param vocabSize         tokens in the vocabulary
 * @param contextLength     trained context length
 * @param expertCount       experts per block (mixture of experts only, else 0)
 * @param expertUsedCount   experts used per token (mixture of experts only, else 0)
 */
public record ModelShape(Architecture architecture, int blockCount, int embeddingLength, int feedForwardLength,
                         int headCount, int headCountKv, int headDimension, int vocabSize, int contextLength,
                         int expertCount, int expertUsedCount) {

    /** The architectures the writer knows, with the vocabulary each uses. */
    public enum Architecture {
        /** {@code llama}, with a SentencePiece vocabulary. */
        LLAMA,
        /** {@code qwen3}: llama with RMS norms on queries and keys, a GPT-2-style BPE vocabulary and ChatML tokens. */
        QWEN3,
        /** {@code qwen3moe}: qwen3 whose feed-forward is a softmax-gated mixture of experts. */
        QWEN3MOE;

        /** The {@code general.architecture} value. */
        public String ggufName() {
            return name().toLowerCase(Locale.ROOT);
        }

        boolean hasExperts() {
            return this == QWEN3MOE;
        }

        boolean hasQkNorm() {
            return this != LLAMA;
        }
    }

    public ModelShape {
        Objects.requireNonNull(architecture, "architecture");
        if (blockCount < 1 || headCount < 1 || headCountKv < 1 || contextLength < 1 || vocabSize < 1 || headDimension < 2) {
            throw new IllegalArgumentException("every size of a model shape must be positive");
        }
        if (embeddingLength < 32 || embeddingLength % 32 != 0 || feedForwardLength < 32 || feedForwardLength % 32 != 0) {
            throw new IllegalArgumentException("embedding and feed-forward lengths must be positive multiples of 32");
        }
        if (headCount % headCountKv != 0 || headDimension % 2 != 0 || (headDimension * headCount) % 32 != 0) {
            throw new IllegalArgumentException("heads must be a multiple of the KV heads, and the head width even with"
                    + " heads x width a multiple of 32");
        }
        if (architecture == Architecture.LLAMA && headDimension * headCount != embeddingLength) {
            throw new IllegalArgumentException("a llama head is embedding length / heads wide");
        }
        if (architecture.hasExperts() != (expertCount > 0)
                || (expertCount > 0 && (expertUsedCount < 1 || expertUsedCount > expertCount))
                || (expertCount == 0 && expertUsedCount != 0)) {
            throw new IllegalArgumentException("a mixture of experts has 1..experts used experts; other shapes have none");
        }
    }

    /** A llama shape (heads of width {@code embeddingLength / headCount}). */
    public ModelShape(int blockCount, int embeddingLength, int feedForwardLength, int headCount, int headCountKv,
                      int vocabSize, int contextLength) {
        this(Architecture.LLAMA, blockCount, embeddingLength, feedForwardLength, headCount, headCountKv,
                embeddingLength / Math.max(1, headCount), vocabSize, contextLength, 0, 0);
    }

    /** A qwen3 shape. */
    public static ModelShape qwen3(int blockCount, int embeddingLength, int feedForwardLength, int headCount,
                                   int headCountKv, int headDimension, int vocabSize, int contextLength) {
        return new ModelShape(Architecture.QWEN3, blockCount, embeddingLength, feedForwardLength, headCount, headCountKv,
                headDimension, vocabSize, contextLength, 0, 0);
    }

    /** A qwen3moe shape; {@code expertFeedForwardLength} is each expert's width. */
    public static ModelShape qwen3Moe(int blockCount, int embeddingLength, int expertFeedForwardLength, int headCount,
                                      int headCountKv, int headDimension, int vocabSize, int contextLength,
                                      int expertCount, int expertUsedCount) {
        return new ModelShape(Architecture.QWEN3MOE, blockCount, embeddingLength, expertFeedForwardLength, headCount,
                headCountKv, headDimension, vocabSize, contextLength, expertCount, expertUsedCount);
    }

    /** TinyLlama-1.1B: 22 blocks, 2048 wide, n_ff 5632, 32 heads, 4 KV heads, 32000 tokens, context 2048. */
    public static ModelShape tinyLlama() {
        return new ModelShape(22, 2048, 5632, 32, 4, 32000, 2048);
    }

    /** Qwen3-0.6B: 28 blocks, 1024 wide, n_ff 3072, 16 heads of 128, 8 KV heads, 151936 tokens, context 40960. */
    public static ModelShape qwen3_0_6b() {
        return qwen3(28, 1024, 3072, 16, 8, 128, 151936, 40960);
    }

    /** The width of the queries of one token: heads times head width. */
    public int queryLength() {
        return headDimension * headCount;
    }

    /** The width of the keys (and of the values) of one token in one block. */
    public int kvEmbeddingLength() {
        return headDimension * headCountKv;
    }

    /** Adds the hyper-parameters of this shape to {@code writer}. */
    void putMetadata(GgufWriter writer, String name, GgmlType type) {
        String a = architecture.ggufName();
        writer.put("general.architecture", GgufValue.string(a))
                .put("general.name", GgufValue.string(name))
                .put("general.file_type", GgufValue.uint32(FileTypes.idOf(type)))
                .put(a + ".context_length", GgufValue.uint32(contextLength))
                .put(a + ".embedding_length", GgufValue.uint32(embeddingLength))
                .put(a + ".block_count", GgufValue.uint32(blockCount))
                .put(a + ".feed_forward_length", GgufValue.uint32(feedForwardLength))
                .put(a + ".attention.head_count", GgufValue.uint32(headCount))
                .put(a + ".attention.head_count_kv", GgufValue.uint32(headCountKv))
                .put(a + ".attention.layer_norm_rms_epsilon", GgufValue.float32(architecture == Architecture.LLAMA ? 1e-5f : 1e-6f))
                .put(a + ".rope.dimension_count", GgufValue.uint32(headDimension))
                .put(a + ".vocab_size", GgufValue.uint32(vocabSize));
        if (queryLength() != embeddingLength || architecture != Architecture.LLAMA) {
            writer.put(a + ".attention.key_length", GgufValue.uint32(headDimension))
                    .put(a + ".attention.value_length", GgufValue.uint32(headDimension));
        }
        if (architecture.hasExperts()) {
            writer.put(a + ".expert_count", GgufValue.uint32(expertCount))
                    .put(a + ".expert_used_count", GgufValue.uint32(expertUsedCount))
                    .put(a + ".expert_feed_forward_length", GgufValue.uint32(feedForwardLength));
        }
    }

    /** The tokenizer metadata of this shape's vocabulary. */
    void putVocabulary(GgufWriter writer) {
        Vocabularies.put(writer, architecture == Architecture.LLAMA ? Vocabularies.spm(vocabSize) : Vocabularies.bpe(vocabSize));
    }
}
