package dev.cerebrum.gguf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A tiny llama model whose greedy continuation is known: each letter is followed by the next one,
 * {@code z} by end of sequence, so "abc" continues "defghijk…" and "w" gives "xyz" and stops.
 *
 * <p>Every block adds nothing to the residual stream (zero attention output and FFN down weights),
 * so the final hidden state is the last token's embedding. Embeddings are random vectors of RMS 1,
 * and row {@code j} of {@code output.weight} holds {@code 30/n_embd} times the embedding of the token
 * whose successor is {@code j}: its logit is then 30, far above the others. The weights come from a
 * fixed seed, so the file is byte-identical every time.
 *
 * <p>{@link #writeWithCharacter} puts a multi-byte character after one letter, spelt in SentencePiece
 * byte tokens ({@code <0xF0><0x9F><0x98><0x80>} for 😀), so tests can cut a character between tokens.
 */
public final class SuccessorModel {

    private static final ModelShape SHAPE = new ModelShape(1, 64, 128, 4, 4, Vocabularies.BASE_SIZE, 512);
    private static final long SEED = 20250317L;
    private static final float LOGIT = 30f;
    /** A token without a successor. */
    private static final int NONE = -1;

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
        write(file, type, alphabet());
    }

    /**
     * Writes a variant in which {@code letter} is followed by {@code character}, one byte token per byte
     * of its UTF-8 encoding, and then by the letter's usual successor: with {@code ('c', "😀")}, "abc"
     * continues "😀defg…" in 4 + 4 tokens. Every other successor is unchanged.
     *
     * @throws IllegalArgumentException when the letter is not a..z, the character is not one code point
     *                                  of at least two UTF-8 bytes, or one of its bytes repeats (each
     *                                  byte token can have only one successor)
     */
    public static void writeWithCharacter(Path file, char letter, String character) {
        if (letter < 'a' || letter > 'z') {
            throw new IllegalArgumentException("the letter must be a..z, was " + letter);
        }
        if (character.codePointCount(0, character.length()) != 1) {
            throw new IllegalArgumentException("exactly one character is needed, was \"" + character + "\"");
        }
        byte[] bytes = character.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 2) {
            throw new IllegalArgumentException("the character must take several UTF-8 bytes: " + character);
        }
        int[] next = alphabet();
        int from = Vocabularies.LETTER_A + (letter - 'a');
        int after = next[from];
        boolean[] used = new boolean[256];
        for (byte b : bytes) {
            if (used[b & 0xff]) {
                throw new IllegalArgumentException("the bytes of " + character + " repeat");
            }
            used[b & 0xff] = true;
            int token = Vocabularies.FIRST_BYTE + (b & 0xff);
            next[from] = token;
            from = token;
        }
        next[from] = after;
        write(file, GgmlType.F32, next);
    }

    /** The default successors: ▁→a, a→b, …, y→z, z→end of sequence; no other token has one. */
    private static int[] alphabet() {
        int[] next = new int[SHAPE.vocabSize()];
        Arrays.fill(next, NONE);
        for (int from = Vocabularies.SPACE; from < Vocabularies.BASE_SIZE; from++) {
            next[from] = from == Vocabularies.BASE_SIZE - 1 ? Vocabularies.EOS : from + 1;
        }
        return next;
    }

    /** Writes the model whose greedy successor of token {@code i} is {@code next[i]} (NONE: no successor). */
    private static void write(Path file, GgmlType type, int[] next) {
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
        for (int from = 0; from < nVocab; from++) {
            int to = next[from];
            if (to == NONE) {
                continue;
            }
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
