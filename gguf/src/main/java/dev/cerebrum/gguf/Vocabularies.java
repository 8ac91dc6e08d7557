package dev.cerebrum.gguf;

import java.util.ArrayList;
import java.util.List;

/**
 * Vocabularies that llama.cpp's tokenizers accept: SentencePiece ("llama") for llama shapes, and GPT-2-style
 * byte-level BPE ("gpt2", pre-tokenizer "qwen2") with the ChatML special tokens for Qwen3 shapes.
 */
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

    /** BPE: the token of byte {@code b} is {@code b}; {@code Ġa}..{@code Ġz} (space + letter, one merge each) follow. */
    static final int BPE_SPACE_A = 256;
    /** BPE: the three ChatML specials close the vocabulary, in this order. */
    static final List<String> CHATML_SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");
    /** Tokens of the base BPE vocabulary: 256 bytes, the 26 merged words and the specials. */
    static final int BPE_BASE_SIZE = BPE_SPACE_A + 26 + 3;
    /** The largest BPE vocabulary built. */
    static final int BPE_MAX_SIZE = BPE_BASE_SIZE + 26 * 26 + 26 * 26 * 26 + 26 * 26 * 26 * 26;

    /** SentencePiece with ChatML: {@code <|im_start|>} and {@code <|im_end|>} follow the base vocabulary. */
    static final int SPM_IM_START = BASE_SIZE;
    /** SentencePiece with ChatML: the id of {@code <|im_end|>}. */
    static final int SPM_IM_END = BASE_SIZE + 1;
    /** Tokens of the SentencePiece ChatML vocabulary. */
    static final int SPM_CHATML_SIZE = BASE_SIZE + 2;

    static final int TYPE_NORMAL = 1;
    static final int TYPE_UNKNOWN = 2;
    static final int TYPE_CONTROL = 3;
    static final int TYPE_BYTE = 6;

    private Vocabularies() {
    }

    /**
     * A vocabulary and the tokenizer settings that go with it.
     *
     * @param model   {@code tokenizer.ggml.model}
     * @param pre     {@code tokenizer.ggml.pre}, or null
     * @param tokens  the token texts, by id
     * @param scores  SentencePiece scores, or null
     * @param types   token types (1 normal, 2 unknown, 3 control, 6 byte)
     * @param merges  BPE merges ("left right"), or empty
     * @param bos     the begin-of-sequence id
     * @param eos     the end-of-sequence id
     * @param unknown the unknown-token id, or -1
     * @param addBos  whether llama.cpp adds BOS to a prompt
     */
    record Vocabulary(String model, String pre, List<String> tokens, float[] scores, int[] types, List<String> merges,
                      int bos, int eos, int unknown, boolean addBos) {
    }

    /**
     * The base SentencePiece vocabulary plus unique filler pieces of two, three and four letters up to
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
        return new Vocabulary("llama", null, List.copyOf(tokens), scores, types, List.of(), BOS, EOS, UNKNOWN, true);
    }

    /**
     * The base SentencePiece vocabulary with the ChatML tokens {@code <|im_start|>} and {@code <|im_end|>} after
     * it, both control tokens; BOS stays {@code <s>} and EOS {@code </s>}, so the end of a chat turn is not the
     * vocabulary's EOS (llama.cpp makes {@code <|im_end|>} an end-of-generation token by its text).
     */
    static Vocabulary spmChatMl() {
        Vocabulary base = spm(BASE_SIZE);
        List<String> tokens = new ArrayList<>(base.tokens());
        tokens.add("<|im_start|>");
        tokens.add("<|im_end|>");
        float[] scores = java.util.Arrays.copyOf(base.scores(), SPM_CHATML_SIZE);
        int[] types = java.util.Arrays.copyOf(base.types(), SPM_CHATML_SIZE);
        types[SPM_IM_START] = TYPE_CONTROL;
        types[SPM_IM_END] = TYPE_CONTROL;
        return new Vocabulary(base.model(), base.pre(), List.copyOf(tokens), scores, types, base.merges(), base.bos(),
                base.eos(), base.unknown(), base.addBos());
    }

    /**
     * A byte-level BPE vocabulary as Qwen's: the 256 byte tokens (GPT-2's byte-to-character mapping, so a space
     * is {@code Ġ}), the words {@code Ġa}..{@code Ġz} with their merges, unique letter fillers up to {@code size}
     * (reachable by no merge) and, last, {@code <|endoftext|>} (BOS, not added), {@code <|im_start|>} and
     * {@code <|im_end|>} (EOS), all three control tokens.
     */
    static Vocabulary bpe(int size) {
        if (size < BPE_BASE_SIZE || size > BPE_MAX_SIZE) {
            throw new IllegalArgumentException("vocab size must be " + BPE_BASE_SIZE + ".." + BPE_MAX_SIZE + ", was " + size);
        }
        List<String> tokens = new ArrayList<>(size);
        int[] types = new int[size];
        java.util.Arrays.fill(types, TYPE_NORMAL);
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(byteChar(b)));
        }
        List<String> merges = new ArrayList<>(26);
        String space = String.valueOf(byteChar(' '));
        for (char c = 'a'; c <= 'z'; c++) {
            tokens.add(space + c);
            merges.add(space + " " + c);
        }
        for (int i = 0; tokens.size() < size - CHATML_SPECIALS.size(); i++) {
            tokens.add(filler(i));
        }
        for (String special : CHATML_SPECIALS) {
            types[tokens.size()] = TYPE_CONTROL;
            tokens.add(special);
        }
        return new Vocabulary("gpt2", "qwen2", List.copyOf(tokens), null, types, List.copyOf(merges),
                bpeEndOfText(size), bpeImEnd(size), -1, false);
    }

    static int bpeEndOfText(int size) {
        return size - 3;
    }

    static int bpeImStart(int size) {
        return size - 2;
    }

    static int bpeImEnd(int size) {
        return size - 1;
    }

    /** GPT-2's byte-to-character mapping: printable Latin-1 bytes stand for themselves, the rest from U+0100 on. */
    static char byteChar(int b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
            return (char) b;
        }
        int n = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) {
                n++;
            }
        }
        return (char) (256 + n);
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
        writer.put("tokenizer.ggml.model", GgufValue.string(vocab.model()));
        if (vocab.pre() != null) {
            writer.put("tokenizer.ggml.pre", GgufValue.string(vocab.pre()));
        }
        writer.put("tokenizer.ggml.tokens", GgufValue.strings(vocab.tokens()));
        if (vocab.scores() != null) {
            writer.put("tokenizer.ggml.scores", GgufValue.float32s(vocab.scores()));
        }
        writer.put("tokenizer.ggml.token_type", GgufValue.int32s(vocab.types()));
        if (!vocab.merges().isEmpty()) {
            writer.put("tokenizer.ggml.merges", GgufValue.strings(vocab.merges()));
        }
        writer.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(vocab.bos()))
                .put("tokenizer.ggml.eos_token_id", GgufValue.uint32(vocab.eos()));
        if (vocab.unknown() >= 0) {
            writer.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(vocab.unknown()));
        } else {
            writer.put("tokenizer.ggml.padding_token_id", GgufValue.uint32(vocab.bos()));
        }
        writer.put("tokenizer.ggml.add_bos_token", GgufValue.bool(vocab.addBos()))
                .put("tokenizer.ggml.add_eos_token", GgufValue.bool(false));
    }
}
