package dev.cerebrum.gguf;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A model of any shape (llama, qwen3 or qwen3moe) with random weights, for measuring speed without
 * downloading a model: llama.cpp's speed depends on the shape and the tensor type, not on the weight values.
 *
 * <p>The vocabulary is the shape's: for llama a valid SentencePiece vocabulary ({@code <unk>}, {@code <s>},
 * {@code </s>}, the 256 byte tokens, {@code ▁}, {@code a}..{@code z}, then unique letter pieces), for Qwen3 a
 * byte-level BPE vocabulary with the ChatML tokens. Weights are uniform with
 * a standard deviation of about 0.02 and norms are 1, so activations stay finite; Q8_0 and Q4_0 blocks
 * are written as random quants directly, so a 1.2 GB file takes seconds. Equal arguments give a
 * byte-identical file.
 */
public final class RandomModel {

    private static final double WEIGHT_STD = 0.02;

    private RandomModel() {
    }

    /** Writes a model of {@code shape} whose matrices are of {@code type} (F32, F16, Q8_0 or Q4_0). */
    public static void write(Path file, ModelShape shape, GgmlType type, long seed) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(type, "type");
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.Q8_0 && type != GgmlType.Q4_0) {
            throw new IllegalArgumentException("random models are F32, F16, Q8_0 or Q4_0, not " + type);
        }
        long nEmbd = shape.embeddingLength();
        long nVocab = shape.vocabSize();

        GgufWriter w = new GgufWriter();
        shape.putMetadata(w, "random", type);
        shape.putVocabulary(w);
        SplittableRandom seeds = new SplittableRandom(seed);
        matrix(w, "token_embd.weight", type, new long[]{nEmbd, nVocab}, seeds.nextLong());
        for (int b = 0; b < shape.blockCount(); b++) {
            // The router of a mixture of experts stays F32, as in real models.
            BlockTensors.write(w, shape, b, (writer, name, dims, m) -> matrix(writer, name,
                    m == BlockTensors.Matrix.FFN_GATE_INP ? GgmlType.F32 : type, dims, seeds.nextLong()));
        }
        w.tensor("output_norm.weight", GgmlType.F32, new long[]{nEmbd}, TensorData.constant(1f));
        matrix(w, "output.weight", type, new long[]{nEmbd, nVocab}, seeds.nextLong());
        w.write(file);
    }

    private static void matrix(GgufWriter w, String name, GgmlType type, long[] dims, long seed) {
        switch (type) {
            case Q8_0 -> w.rawTensor(name, type, dims, new RandomQuants(seed, 32, 0.02 / 74));
            case Q4_0 -> w.rawTensor(name, type, dims, new RandomQuants(seed, 16, 0.02 / 4.6));
            default -> w.tensor(name, type, dims, new RandomFloats(seed));
        }
    }

    /** Uniform values in ±0.02·√3, which has a standard deviation of 0.02. */
    private static final class RandomFloats implements TensorData {
        private final SplittableRandom random;

        RandomFloats(long seed) {
            this.random = new SplittableRandom(seed);
        }

        @Override
        public void fill(long start, float[] dst, int length) {
            float half = (float) (WEIGHT_STD * Math.sqrt(3));
            for (int i = 0; i < length; i++) {
                dst[i] = (random.nextFloat() * 2 - 1) * half;
            }
        }
    }

    /**
     * Quant blocks of one f16 scale and {@code quantBytes} random bytes; uniform int8 (or nibble) quants
     * have a standard deviation of about 74 (or 4.6), so {@code scale} gives weights of std 0.02.
     */
    private static final class RandomQuants implements RawTensorData {
        private final SplittableRandom random;
        private final int quantBytes;
        private final short scale;

        RandomQuants(long seed, int quantBytes, double scale) {
            this.random = new SplittableRandom(seed);
            this.quantBytes = quantBytes;
            this.scale = Float.floatToFloat16((float) scale);
        }

        @Override
        public void fill(long byteOffset, ByteBuffer dst) {
            int longs = quantBytes / 8;
            while (dst.hasRemaining()) {
                dst.putShort(scale);
                for (int i = 0; i < longs; i++) {
                    dst.putLong(random.nextLong());
                }
            }
        }
    }
}
