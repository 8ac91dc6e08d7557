package dev.cerebrum.engine;

/**
 * What a model file says about itself, and the RAM it needs for a spec.
 *
 * @param architecture   for example {@code llama}
 * @param trainedContext the context length it was trained with
 * @param embeddingSize  embedding width
 * @param layerCount     transformer blocks
 * @param headCount      attention heads
 * @param headCountKv    key/value heads
 * @param vocabSize      tokens in the vocabulary
 * @param fileType       the quantisation, for example {@code Q8_0}
 * @param fileBytes      size of the file
 * @param estimate       RAM needed for the spec's context and slots
 */
public record ModelInfo(String architecture, long trainedContext, long embeddingSize, long layerCount,
                        long headCount, long headCountKv, long vocabSize, String fileType, long fileBytes,
                        MemoryEstimate estimate) {
}
