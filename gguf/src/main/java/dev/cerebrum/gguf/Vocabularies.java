package dev.cerebrum.gguf;

import java.util.ArrayList;
import java.util.List;

/** SentencePiece ("llama") vocabularies that llama.cpp's tokenizer accepts. */
final class Vocabularies {
    static final int UNKNOWN = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    static final int FIRST_BYTE = 3;
    /** The id of the word-boundary piece U+2581. */
    static final int SPACE = FIRST_BYTE + 256;
    /** The id of {@code a}; {@code b}..{@code z} follow. */
    static final int LETTER_A = SPACE + 1;
    /** Tokens of the base vocabulary: specials, 256 bytes, the space piece and a..z. */
    static final int BASE_SIZE = LETTER_A + 26;

    /** The largest vocabulary built: the base plus every filler of two to four letters. */
    static final int MAX_SIZE = BASE_SIZE + 26 * 26 + 26 * 26 * 26 + 26 * 26 * 26 * 26;

    static final int TYPE_NORMAL = 1;
    static final int TYPE_UNKNOWN = 2;
    static final int TYPE_CONTROL = 3;
    static final int TYPE_BYTE = 6;

    private Vocabularies() {
    }

    record Vocabulary(List<String> tokens, float[] scores, int[] types) {
    }

    /**
     * The base vocabulary plus unique filler pieces of two, three and four letters up to
     * {@code size} tokens. Fillers score below the letters so single letters stay the usual split.
     */
    static Vocabulary spm(int size) {
        if (size < BASE_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("vocab size must be " + BASE_SIZE + ".." + MAX_SIZE + ", was " + size);
        }
        List<String> tokens = new ArrayList<>(size);
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens.add("<unk>");
        types[UNKNOWN] = TYPE_UNKNOWN;
        tokens.add("<s>");
        types[BOS] = TYPE_CONTROL;
        tokens.add("</s>");
        types[EOS] = TYPE_CONTROL;
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types[FIRST_BYTE + b] = TYPE_BYTE;
        }
        tokens.add("\u2581");
        types[SPACE] = TYPE_NORMAL;
        for (char c = 'a'; c <= 'z'; c++) {
            types[tokens.size()] = TYPE_NORMAL;
            tokens.add(String.valueOf(c));
        }
        for (int i = 0; tokens.size() < size; i++) {
            int id = tokens.size();
            tokens.add(filler(i));
            types[id] = TYPE_NORMAL;
            scores[id] = -1f - i;
        }
        return new Vocabulary(List.copyOf(tokens), scores, types);
    }

    /** The i-th filler: all two-letter pieces ("aa".."zz"), then all three-letter ones, and so on. */
    private static String filler(int i) {
        int length = 2;
        long count = 26 * 26;
        while (i >= count) {
            i -= (int) count;
            count *= 26;
            length++;
        }
        char[] c = new char[length];
        for (int k = length - 1; k >= 0; k--) {
            c[k] = (char) ('a' + i % 26);
            i /= 26;
        }
        return new String(c);
    }

    /** Adds the tokenizer metadata of {@code vocab} to {@code writer}. */
    static void put(GgufWriter writer, Vocabulary vocab) {
        writer.put("tokenizer.ggml.model", GgufValue.string("llama"))
                .put("tokenizer.ggml.tokens", GgufValue.strings(vocab.tokens()))
                .put("tokenizer.ggml.scores", GgufValue.float32s(vocab.scores()))
                .put("tokenizer.ggml.token_type", GgufValue.int32s(vocab.types()))
                .put("tokenizer.ggml.bos_token_id", GgufValue.uint32(BOS))
                .put("tokenizer.ggml.eos_token_id", GgufValue.uint32(EOS))
                .put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(UNKNOWN))
                .put("tokenizer.ggml.add_bos_token", GgufValue.bool(true))
                .put("tokenizer.ggml.add_eos_token", GgufValue.bool(false));
    }
}
