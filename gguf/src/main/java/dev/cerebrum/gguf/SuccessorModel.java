package dev.cerebrum.gguf;

import dev.cerebrum.gguf.ModelShape.Architecture;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Tiny models whose greedy continuation is known: each letter is followed by the next one, {@code z} by end
 * of generation, so "abc" continues "defghijk…" and "w" gives "xyz" and stops. There is one per architecture:
 * <ul>
 *   <li>{@code llama}: a SentencePiece vocabulary; {@code z} is followed by {@code </s>};</li>
 *   <li>{@code qwen3}: heads 32 wide where {@code n_embd / n_head} is 16, RMS norms on queries and keys, a
 *       byte-level BPE vocabulary with ChatML tokens; {@code z} is followed by {@code <|im_end|>};</li>
 *   <li>{@code qwen3moe}: qwen3 with a mixture of 4 experts (2 used) in place of the feed-forward.</li>
 * </ul>
 *
 * <p>Every block adds nothing to the residual stream (zero attention output weights, and zero FFN down weights,
 * for every expert), so the final hidden state is the last token's embedding. Embeddings are random vectors of
 * RMS 1, and row {@code j} of {@code output.weight} holds {@code 30/n_embd} times the embedding of each token
 * whose successor is {@code j}: its logit is then 30, far above the others. The weights come from a fixed
 * seed, so each file is byte-identical every time.
 *
 * <p>{@link #writeChatMl} writes a llama model for chat: its vocabulary adds the ChatML control tokens
 * {@code <|im_start|>} and {@code <|im_end|>} (EOS stays {@code </s>}), it carries the ChatML template, and a
 * ChatML prompt, which ends with {@code assistant\n}, is answered {@value #CHAT_ANSWER}, then {@code <|im_end|>}.
 *
 * <p>{@link #writeWithCharacter} puts a multi-byte character after one letter of the llama model, spelt in
 * SentencePiece byte tokens ({@code <0xF0><0x9F><0x98><0x80>} for 😀), so tests can cut a character between
 * tokens.
 */
public final class SuccessorModel {

    private static final ModelShape LLAMA = new ModelShape(1, 64, 128, 4, 4, Vocabularies.BASE_SIZE, 512);
    private static final ModelShape LLAMA_CHATML = new ModelShape(1, 64, 128, 4, 4, Vocabularies.SPM_CHATML_SIZE, 512);
    private static final ModelShape QWEN3 = ModelShape.qwen3(1, 64, 128, 4, 2, 32, Vocabularies.BPE_BASE_SIZE, 512);
    private static final ModelShape QWEN3MOE = ModelShape.qwen3Moe(1, 64, 64, 4, 2, 32, Vocabularies.BPE_BASE_SIZE, 512, 4, 2);
    private static final long SEED = 20250317L;
    private static final float LOGIT = 30f;

    /**
     * The ChatML template the chat model carries in {@code tokenizer.chat_template}: Hugging Face's, as the
     * chat-template module's {@code ChatTemplates.CHATML}.
     */
    public static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    /** The chat model's greedy answer to any ChatML prompt with the generation prompt, before {@code <|im_end|>}. */
    public static final String CHAT_ANSWER = "abcdefghijklmnopqrstuvwxyz";
    /** The chat model's greedy continuation of a prompt that ends with the special token {@code <|im_start|>}. */
    public static final String AFTER_IM_START = "nopqrstuvwxyz";

    private SuccessorModel() {
    }

    /** The llama model's shape: 1 block, 64 wide, 4 heads, 286 tokens, context 512. */
    public static ModelShape shape() {
        return LLAMA;
    }

    /** The shape of the model of {@code architecture}. */
    public static ModelShape shape(Architecture architecture) {
        return switch (Objects.requireNonNull(architecture, "architecture")) {
            case LLAMA -> LLAMA;
            case QWEN3 -> QWEN3;
            case QWEN3MOE -> QWEN3MOE;
        };
    }

    /** Writes the llama model (about 0.3 MB, all tensors F32) to {@code file}. */
    public static void write(Path file) {
        write(file, Architecture.LLAMA, GgmlType.F32);
    }

    /** Writes the model of {@code architecture} (all tensors F32) to {@code file}. */
    public static void write(Path file, Architecture architecture) {
        write(file, architecture, GgmlType.F32);
    }

    /**
     * Writes the chat model (llama, F32): a SentencePiece vocabulary plus {@code <|im_start|>} and
     * {@code <|im_end|>} (control tokens; BOS {@code <s>}, EOS {@code </s>}) and {@link #CHATML_TEMPLATE} in
     * {@code tokenizer.chat_template}. Its successors: the newline byte and {@code ▁} are followed by {@code a},
     * each letter by the next, {@code z} by {@code <|im_end|>}, {@code <|im_start|>} by {@code n}, the byte {@code >} by {@code </s>}
     * (so the text {@code <|im_start|>} tokenised without special tokens is answered with nothing), and the byte
     * <code>{</code> by <code>}</code> (so JSON mode, which forces <code>{</code> first, answers <code>{}</code>). So a
     * ChatML prompt, whose last token is the newline after {@code assistant}, is answered {@value #CHAT_ANSWER}
     * and the turn ends at {@code <|im_end|>}, which is not the vocabulary's EOS.
     */
    public static void writeChatMl(Path file) {
        writeChatMl(file, LLAMA_CHATML.contextLength());
    }

    /**
     * Writes the chat model claiming a trained context of {@code contextLength} tokens (the same weights), so
     * that a slot can hold a long generation: llama.cpp allows at most four times the trained context.
     */
    public static void writeChatMl(Path file, int contextLength) {
        ModelShape shape = new ModelShape(LLAMA_CHATML.blockCount(), LLAMA_CHATML.embeddingLength(),
                LLAMA_CHATML.feedForwardLength(), LLAMA_CHATML.headCount(), LLAMA_CHATML.headCountKv(),
                LLAMA_CHATML.vocabSize(), contextLength);
        int[] next = new int[Vocabularies.SPM_CHATML_SIZE];
        Arrays.fill(next, -1);
        next[Vocabularies.FIRST_BYTE + '\n'] = Vocabularies.LETTER_A;
        next[Vocabularies.SPACE] = Vocabularies.LETTER_A;
        for (int letter = 0; letter < 26; letter++) {
            next[Vocabularies.LETTER_A + letter] = letter == 25 ? Vocabularies.SPM_IM_END : Vocabularies.LETTER_A + letter + 1;
        }
        next[Vocabularies.SPM_IM_START] = Vocabularies.LETTER_A + ('n' - 'a');
        // "<|im_start|>" read as plain text ends with the byte '>': it ends at once, so it cannot pass for the token.
        next[Vocabularies.FIRST_BYTE + '>'] = Vocabularies.EOS;
        // Under a JSON-object grammar, which forces '{' first, the answer is "{}".
        next[Vocabularies.FIRST_BYTE + '{'] = Vocabularies.FIRST_BYTE + '}';
        write(file, shape, Vocabularies.spmChatMl(), GgmlType.F32, next, CHATML_TEMPLATE);
    }

    /**
     * Writes the llama model with a trained context of {@code contextLength} tokens: the same weights and known
     * answers, but room for long generations (llama.cpp accepts a context of at most 4× the trained one). With
     * {@code ignore_eos} such a model generates for as long as its slot allows, ever slower as the context fills,
     * which fault tests use to keep a stream running.
     *
     * @throws IllegalArgumentException when the length is not positive
     */
    public static void writeWithContext(Path file, int contextLength) {
        ModelShape s = LLAMA;
        ModelShape shape = new ModelShape(s.blockCount(), s.embeddingLength(), s.feedForwardLength(), s.headCount(),
                s.headCountKv(), s.vocabSize(), contextLength);
        write(file, shape, Vocabularies.spm(shape.vocabSize()), GgmlType.F32, successors(Architecture.LLAMA, shape.vocabSize()),
                null);
    }

    /** Writes the llama model with its matrices encoded as {@code type}; the margin of the logits survives Q4_0. */
    static void write(Path file, GgmlType type) {
        write(file, Architecture.LLAMA, type);
    }

    static void write(Path file, Architecture architecture, GgmlType type) {
        write(file, architecture, type, successors(architecture, shape(architecture).vocabSize()));
    }

    /**
     * Writes a llama variant in which {@code letter} is followed by {@code character}, one byte token per byte
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
        int[] next = successors(Architecture.LLAMA, LLAMA.vocabSize());
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
        write(file, Architecture.LLAMA, GgmlType.F32, next);
    }

    /** Writes the model whose greedy successor of token {@code i} is {@code successors[i]} (-1: none). */
    private static void write(Path file, Architecture architecture, GgmlType type, int[] successors) {
        ModelShape shape = shape(architecture);
        write(file, shape, architecture == Architecture.LLAMA ? Vocabularies.spm(shape.vocabSize())
                : Vocabularies.bpe(shape.vocabSize()), type, successors, null);
    }

    /** Writes a model of {@code shape} with {@code vocabulary} and, unless null, a chat template. */
    private static void write(Path file, ModelShape shape, Vocabularies.Vocabulary vocabulary, GgmlType type,
                              int[] successors, String chatTemplate) {
        int nEmbd = shape.embeddingLength();
        int nVocab = shape.vocabSize();
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
            int to = successors[from];
            if (to < 0) {
                continue;
            }
            for (int i = 0; i < nEmbd; i++) {
                output[to * nEmbd + i] += embeddings[from * nEmbd + i] * (LOGIT / nEmbd);
            }
        }

        GgufWriter w = new GgufWriter();
        shape.putMetadata(w, "successor", type);
        Vocabularies.put(w, vocabulary);
        if (chatTemplate != null) {
            w.put("tokenizer.chat_template", GgufValue.string(chatTemplate));
        }
        w.tensor("token_embd.weight", type, new long[]{nEmbd, nVocab}, TensorData.of(embeddings));
        w.tensor("output_norm.weight", GgmlType.F32, new long[]{nEmbd}, TensorData.constant(1f));
        w.tensor("output.weight", type, new long[]{nEmbd, nVocab}, TensorData.of(output));
        BlockTensors.write(w, shape, 0, (writer, name, dims, matrix) -> {
            TensorData values = matrix.writesResidual() ? TensorData.constant(0f) : small(g, BlockTensors.elements(dims));
            // The router stays F32, as in real MoE models.
            writer.tensor(name, matrix == BlockTensors.Matrix.FFN_GATE_INP ? GgmlType.F32 : type, dims, values);
        });
        w.write(file);
    }

    /**
     * The token each token is followed by, or -1: the space piece and every letter go to the next letter (a
     * BPE vocabulary also has the words {@code Ġa}..{@code Ġz}), and {@code z} to end of generation.
     */
    static int[] successors(Architecture architecture, int nVocab) {
        int[] next = new int[nVocab];
        Arrays.fill(next, -1);
        if (architecture == Architecture.LLAMA) {
            for (int from = Vocabularies.SPACE; from < Vocabularies.BASE_SIZE; from++) {
                next[from] = from == Vocabularies.BASE_SIZE - 1 ? Vocabularies.EOS : from + 1;
            }
            return next;
        }
        int end = Vocabularies.bpeImEnd(nVocab);
        next[' '] = 'a';
        for (int letter = 0; letter < 26; letter++) {
            int following = letter == 25 ? end : 'a' + letter + 1;
            next['a' + letter] = following;
            next[Vocabularies.BPE_SPACE_A + letter] = following;
        }
        return next;
    }

    private static TensorData small(Gaussian g, long n) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.02 * g.next());
        }
        return TensorData.of(v);
    }
}
