package dev.cerebrum.gguf;

/**
 * The shape of a llama-architecture model.
 *
 * @param blockCount        transformer blocks
 * @param embeddingLength   embedding width (a multiple of 32 and of the head count)
 * @param feedForwardLength feed-forward width (a multiple of 32)
 * @param headCount         attention heads
 * @param headCountKv       key/value heads (divides the head count)
 * @param vocabSize         tokens in the vocabulary
 * @param contextLength     trained context length
 */
public record ModelShape(int blockCount, int embeddingLength, int feedForwardLength, int headCount,
                         int headCountKv, int vocabSize, int contextLength) {

    public ModelShape {
        if (blockCount < 1 || headCount < 1 || headCountKv < 1 || contextLength < 1 || vocabSize < 1) {
            throw new IllegalArgumentException("every size of a model shape must be positive");
        }
        if (embeddingLength < 32 || embeddingLength % 32 != 0 || feedForwardLength < 32 || feedForwardLength % 32 != 0) {
            throw new IllegalArgumentException("embedding and feed-forward lengths must be positive multiples of 32");
        }
        if (embeddingLength % headCount != 0 || headCount % headCountKv != 0) {
            throw new IllegalArgumentException("heads must divide the embedding length and be a multiple of the KV heads");
        }
    }

    /** TinyLlama-1.1B: 22 blocks, 2048 wide, n_ff 5632, 32 heads, 4 KV heads, 32000 tokens, context 2048. */
    public static ModelShape tinyLlama() {
        return new ModelShape(22, 2048, 5632, 32, 4, 32000, 2048);
    }

    /** The width of one attention head. */
    public int headDimension() {
        return embeddingLength / headCount;
    }

    /** The width of the keys (and of the values) of one token in one block. */
    public int kvEmbeddingLength() {
        return headDimension() * headCountKv;
    }

    /** Adds the llama hyper-parameters of this shape to {@code writer}. */
    void putMetadata(GgufWriter writer, String name, GgmlType type) {
        writer.put("general.architecture", GgufValue.string("llama"))
                .put("general.name", GgufValue.string(name))
                .put("general.file_type", GgufValue.uint32(FileTypes.idOf(type)))
                .put("llama.context_length", GgufValue.uint32(contextLength))
                .put("llama.embedding_length", GgufValue.uint32(embeddingLength))
                .put("llama.block_count", GgufValue.uint32(blockCount))
                .put("llama.feed_forward_length", GgufValue.uint32(feedForwardLength))
                .put("llama.attention.head_count", GgufValue.uint32(headCount))
                .put("llama.attention.head_count_kv", GgufValue.uint32(headCountKv))
                .put("llama.attention.layer_norm_rms_epsilon", GgufValue.float32(1e-5f))
                .put("llama.rope.dimension_count", GgufValue.uint32(headDimension()))
                .put("llama.vocab_size", GgufValue.uint32(vocabSize));
    }
}
