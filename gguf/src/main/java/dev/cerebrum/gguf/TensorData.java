package dev.cerebrum.gguf;

import java.util.Arrays;

/** Produces a tensor's values in chunks, so the writer never holds a whole large tensor. */
@FunctionalInterface
public interface TensorData {

    /**
     * Fills {@code dst[0..length)} with the values at flat indexes {@code start..start+length}, where the
     * flat index runs over dims[0] fastest (one row of a matrix after another).
     */
    void fill(long start, float[] dst, int length);

    /** Values held in an array, in flat order. */
    static TensorData of(float[] values) {
        return (start, dst, length) -> System.arraycopy(values, Math.toIntExact(start), dst, 0, length);
    }

    /** Every value the same. */
    static TensorData constant(float value) {
        return (start, dst, length) -> Arrays.fill(dst, 0, length, value);
    }
}
