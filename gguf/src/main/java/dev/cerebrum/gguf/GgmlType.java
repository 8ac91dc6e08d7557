package dev.cerebrum.gguf;

/** A ggml tensor type with its block layout; the writer encodes F32, F16, Q4_0 and Q8_0. */
public enum GgmlType {
    /** 32-bit float. */
    F32(0, 1, 4),
    /** 16-bit IEEE float. */
    F16(1, 1, 2),
    /** 4-bit blocks of 32 with an f16 scale. */
    Q4_0(2, 32, 18),
    /** 4-bit blocks of 32 with an f16 scale and minimum. */
    Q4_1(3, 32, 20),
    /** 5-bit blocks of 32. */
    Q5_0(6, 32, 22),
    /** 5-bit blocks of 32 with a minimum. */
    Q5_1(7, 32, 24),
    /** 8-bit blocks of 32 with an f16 scale. */
    Q8_0(8, 32, 34),
    /** 8-bit blocks of 32 with scale and sum. */
    Q8_1(9, 32, 36),
    /** 2-bit k-quant. */
    Q2_K(10, 256, 84),
    /** 3-bit k-quant. */
    Q3_K(11, 256, 110),
    /** 4-bit k-quant. */
    Q4_K(12, 256, 144),
    /** 5-bit k-quant. */
    Q5_K(13, 256, 176),
    /** 6-bit k-quant. */
    Q6_K(14, 256, 210),
    /** 8-bit k-quant. */
    Q8_K(15, 256, 292),
    /** i-quant 2-bit xxs. */
    IQ2_XXS(16, 256, 66),
    /** i-quant 2-bit xs. */
    IQ2_XS(17, 256, 74),
    /** i-quant 3-bit xxs. */
    IQ3_XXS(18, 256, 98),
    /** i-quant 1-bit s. */
    IQ1_S(19, 256, 50),
    /** i-quant 4-bit non-linear. */
    IQ4_NL(20, 32, 18),
    /** i-quant 3-bit s. */
    IQ3_S(21, 256, 110),
    /** i-quant 2-bit s. */
    IQ2_S(22, 256, 82),
    /** i-quant 4-bit xs. */
    IQ4_XS(23, 256, 136),
    /** 8-bit integer. */
    I8(24, 1, 1),
    /** 16-bit integer. */
    I16(25, 1, 2),
    /** 32-bit integer. */
    I32(26, 1, 4),
    /** 64-bit integer. */
    I64(27, 1, 8),
    /** 64-bit float. */
    F64(28, 1, 8),
    /** i-quant 1-bit m. */
    IQ1_M(29, 256, 56),
    /** bfloat16. */
    BF16(30, 1, 2),
    /** ternary 1.69-bit. */
    TQ1_0(34, 256, 54),
    /** ternary 2-bit. */
    TQ2_0(35, 256, 66),
    /** microscaling fp4. */
    MXFP4(39, 32, 17);

    private final int id;
    private final int blockSize;
    private final int typeSize;

    GgmlType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** The type id stored in GGUF files. */
    public int id() {
        return id;
    }

    /** Values per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    /** Bytes that {@code elements} values take; {@code elements} must be a multiple of the block size. */
    public long byteSize(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(elements + " values are not a multiple of the " + name() + " block size " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) typeSize);
    }

    /** The type with this id, or null when unknown. */
    static GgmlType byId(long id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
