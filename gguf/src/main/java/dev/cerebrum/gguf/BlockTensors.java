package dev.cerebrum.gguf;

/**
 * Writes the tensors of one transformer block of a {@link ModelShape}, with the names and ggml dims llama.cpp
 * expects (src/models/llama.cpp, qwen3.cpp and qwen3moe.cpp). Norm weights are ones in F32; the caller gives
 * every matrix its values.
 */
final class BlockTensors {

    /** The matrices of a block. */
    enum Matrix {
        ATTN_Q, ATTN_K, ATTN_V, ATTN_OUTPUT,
        FFN_GATE, FFN_UP, FFN_DOWN,
        /** The router of a mixture of experts: one logit per expert. */
        FFN_GATE_INP,
        FFN_GATE_EXPS, FFN_UP_EXPS, FFN_DOWN_EXPS;

        /** The matrices whose output is added to the residual stream: zero makes a block the identity. */
        boolean writesResidual() {
            return this == ATTN_OUTPUT || this == FFN_DOWN || this == FFN_DOWN_EXPS;
        }
    }

    /** Adds one matrix to the writer. */
    @FunctionalInterface
    interface Source {
        void add(GgufWriter writer, String name, long[] dims, Matrix matrix);
    }

    private BlockTensors() {
    }

    static void write(GgufWriter w, ModelShape shape, int block, Source source) {
        long nEmbd = shape.embeddingLength();
        long nQ = shape.queryLength();
        long nKv = shape.kvEmbeddingLength();
        long nFf = shape.feedForwardLength();
        String p = "blk." + block + ".";
        w.tensor(p + "attn_norm.weight", GgmlType.F32, new long[]{nEmbd}, TensorData.constant(1f));
        source.add(w, p + "attn_q.weight", new long[]{nEmbd, nQ}, Matrix.ATTN_Q);
        source.add(w, p + "attn_k.weight", new long[]{nEmbd, nKv}, Matrix.ATTN_K);
        source.add(w, p + "attn_v.weight", new long[]{nEmbd, nKv}, Matrix.ATTN_V);
        if (shape.architecture().hasQkNorm()) {
            w.tensor(p + "attn_q_norm.weight", GgmlType.F32, new long[]{shape.headDimension()}, TensorData.constant(1f));
            w.tensor(p + "attn_k_norm.weight", GgmlType.F32, new long[]{shape.headDimension()}, TensorData.constant(1f));
        }
        source.add(w, p + "attn_output.weight", new long[]{nQ, nEmbd}, Matrix.ATTN_OUTPUT);
        w.tensor(p + "ffn_norm.weight", GgmlType.F32, new long[]{nEmbd}, TensorData.constant(1f));
        if (shape.architecture().hasExperts()) {
            long nExpert = shape.expertCount();
            source.add(w, p + "ffn_gate_inp.weight", new long[]{nEmbd, nExpert}, Matrix.FFN_GATE_INP);
            source.add(w, p + "ffn_gate_exps.weight", new long[]{nEmbd, nFf, nExpert}, Matrix.FFN_GATE_EXPS);
            source.add(w, p + "ffn_up_exps.weight", new long[]{nEmbd, nFf, nExpert}, Matrix.FFN_UP_EXPS);
            source.add(w, p + "ffn_down_exps.weight", new long[]{nFf, nEmbd, nExpert}, Matrix.FFN_DOWN_EXPS);
        } else {
            source.add(w, p + "ffn_gate.weight", new long[]{nEmbd, nFf}, Matrix.FFN_GATE);
            source.add(w, p + "ffn_up.weight", new long[]{nEmbd, nFf}, Matrix.FFN_UP);
            source.add(w, p + "ffn_down.weight", new long[]{nFf, nEmbd}, Matrix.FFN_DOWN);
        }
    }

    /** The number of values of a tensor of {@code dims}. */
    static long elements(long[] dims) {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
