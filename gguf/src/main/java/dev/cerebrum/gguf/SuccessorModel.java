package dev.cerebrum.gguf;

import java.nio.file.Path;

/**
 * A tiny llama model whose greedy continuation is known: each letter is followed by the next one,
 * {@code z} by end of sequence, so "abc" continues "defghijk…" and "w" gives "xyz" and stops.
 *
 * <p>Every block adds nothing to the residual stream (zero attention output and FFN down weights),
 * so the final hidden state is the last token's embedding. Embeddings are random vectors of RMS 1,
 * and row {@code j} of {@code output.weight} holds {@code 30/n_embd} times the embedding of the token
 * whose successor is {@code j}: its logit is then 30, far above the others. The weights come from a
 * fixed seed, so the file is byte-identical every time.
 */
public final class SuccessorModel {

    private static final ModelShape SHAPE = new ModelShape(1, 64, 128, 4, 4, Vocabularies.BASE_SIZE, 512);
    private static final long SEED = 20250317L;
    private static final float LOGIT = 30f;

    private SuccessorModel() {
    }

    /** The model's shape: 1 block, 64 wide, 4 heads, 286 tokens, context 512. */
    public static ModelShape shape() {
        return SHAPE;
    }

    /** Writes the model (about 0.3 MB, all tensors F32) to {@code file}. */
    public static void write(Path file) {
        write(file, GgmlType.F32);
    }

    /** Writes the model with its matrices encoded as {@code type}; the margin of the logits survives Q4_0. */
    static void write(Path file, GgmlType type) {
        int nEmbd = SHAPE.embeddingLength();
        int nVocab = SHAPE.vocabSize();
        int nFf = SHAPE.feedForwardLength();
        int nKv = SHAPE.kvEmbeddingLength();
        Gaussian g = new Gaussian(SEED);

        float[] embeddings = new float[nVocab * nEmbd];
        for (int t = 0; t < nVocab; t++) {
            double sumSq = 0;
            for (int i = 0; i < nEmbd; i++) {
                float v = (float) g.next();
                embeddings[t * nEmbd + i] = v;
                sumSq += (double) v * v;
            }
            float scale = (float) (1.0 / Math.sqrt(sumSq / nEmbd));
            for (int i = 0; i < nEmbd; i++) {
                embeddings[t * nEmbd + i] *= scale;
            }
        }
        float[] output = new float[nVocab * nEmbd];
        for (int from = Vocabularies.SPACE; from < Vocabularies.BASE_SIZE; from++) {
            int to = from == Vocabularies.BASE_SIZE - 1 ? Vocabularies.EOS : from + 1;
            for (int i = 0; i < nEmbd; i++) {
                output[to * nEmbd + i] += embeddings[from * nEmbd + i] * (LOGIT / nEmbd);
            }
        }

        GgufWriter w = new GgufWriter();
        SHAPE.putMetadata(w, "successor", type);
        Vocabularies.put(w, Vocabularies.spm(nVocab));
        w.tensor("token_embd.weight", type, new long[]{nEmbd, nVocab}, TensorData.of(embeddings));
        w.tensor("output_norm.weight", GgmlType.F32, new long[]{nEmbd}, TensorData.constant(1f));
        w.tensor("output.weight", type, new long[]{nEmbd, nVocab}, TensorData.of(output));
        w.tensor("blk.0.attn_norm.weight", GgmlType.F32, new long[]{nEmbd}, TensorData.constant(1f));
        w.tensor("blk.0.attn_q.weight", type, new long[]{nEmbd, nEmbd}, small(g, nEmbd * nEmbd));
        w.tensor("blk.0.attn_k.weight", type, new long[]{nEmbd, nKv}, small(g, nEmbd * nKv));
        w.tensor("blk.0.attn_v.weight", type, new long[]{nEmbd, nKv}, small(g, nEmbd * nKv));
        w.tensor("blk.0.attn_output.weight", type, new long[]{nEmbd, nEmbd}, TensorData.constant(0f));
        w.tensor("blk.0.ffn_norm.weight", GgmlType.F32, new long[]{nEmbd}, TensorData.constant(1f));
        w.tensor("blk.0.ffn_gate.weight", type, new long[]{nEmbd, nFf}, small(g, nEmbd * nFf));
        w.tensor("blk.0.ffn_up.weight", type, new long[]{nEmbd, nFf}, small(g, nEmbd * nFf));
        w.tensor("blk.0.ffn_down.weight", type, new long[]{nFf, nEmbd}, TensorData.constant(0f));
        w.write(file);
    }

    private static TensorData small(Gaussian g, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.02 * g.next());
        }
        return TensorData.of(v);
    }
}
