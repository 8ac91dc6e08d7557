package dev.cerebrum.engine;

/**
 * Estimated RAM of a loaded model, in bytes.
 *
 * @param weightsBytes tensor data
 * @param kvCacheBytes the KV cache for the whole context
 * @param computeBytes compute buffers and runtime overhead
 */
public record MemoryEstimate(long weightsBytes, long kvCacheBytes, long computeBytes) {
    /** The sum of all parts. */
    public long totalBytes() {
        return weightsBytes + kvCacheBytes + computeBytes;
    }
}
