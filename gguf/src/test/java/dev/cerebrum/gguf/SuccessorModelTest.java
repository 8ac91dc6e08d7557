package dev.cerebrum.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SuccessorModelTest {

    @TempDir
    Path dir;

    @Test
    void isByteIdenticalEachTime() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        SuccessorModel.write(a);
        SuccessorModel.write(b);
        assertEquals(-1, Files.mismatch(a, b));
    }

    @Test
    void describesItsShapeAndVocabulary() {
        Path file = dir.resolve("successor.gguf");
        SuccessorModel.write(file);
        GgufFile read = GgufReader.read(file);
        assertEquals("llama", read.architecture());
        assertEquals(512, read.contextLength());
        assertEquals(64, read.embeddingLength());
        assertEquals(1, read.blockCount());
        assertEquals(4, read.headCount());
        assertEquals(4, read.headCountKv());
        assertEquals(286, read.vocabSize());
        assertEquals("F32", read.fileType());
        assertEquals(12, read.tensors().size());
        List<Object> tokens = read.metadata().get("tokenizer.ggml.tokens").asArray().elements();
        assertEquals(List.of("<unk>", "<s>", "</s>"), tokens.subList(0, 3));
        assertEquals("<0x41>", tokens.get(3 + 0x41));
        assertEquals("\u2581", tokens.get(259));
        assertEquals("a", tokens.get(260));
        assertEquals("z", tokens.get(285));
        assertEquals(1, read.metadata().get("tokenizer.ggml.bos_token_id").asLong());
        assertEquals(2, read.metadata().get("tokenizer.ggml.eos_token_id").asLong());
    }

    @Test
    void withContext_changesOnlyTheTrainedContext() throws IOException {
        Path plain = dir.resolve("plain.gguf");
        Path longer = dir.resolve("longer.gguf");
        SuccessorModel.write(plain);
        SuccessorModel.writeWithContext(longer, 32768);

        GgufFile a = GgufReader.read(plain);
        GgufFile b = GgufReader.read(longer);
        assertEquals(32768, b.contextLength());
        assertEquals(a.tensors(), b.tensors());
        java.util.Map<String, GgufValue> others = new java.util.HashMap<>(b.metadata());
        others.put("llama.context_length", a.metadata().get("llama.context_length"));
        assertEquals(a.metadata(), others);
        assertEquals(Files.size(plain), Files.size(longer));
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0"})
    void argmaxAfterEachLetter_isTheNextLetter_andAfterZEndOfSequence(GgmlType type) throws IOException {
        // given the model with its matrices in each encoding, decoded back from the file
        Path file = dir.resolve("successor-" + type + ".gguf");
        SuccessorModel.write(file, type);
        GgufFile gguf = GgufReader.read(file);
        int n = (int) gguf.embeddingLength();
        float[] embd = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("token_embd.weight").orElseThrow());
        float[] out = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("output.weight").orElseThrow());
        int vocab = (int) gguf.vocabSize();

        // when the final hidden state is the RMS-normalised last embedding (every block adds zero),
        // then the most likely next token follows the alphabet: ▁→a, a→b, …, z→</s>
        for (int token = 259; token < 286; token++) {
            assertEquals(token == 285 ? 2 : token + 1, argmaxAfter(token, embd, out, n, vocab), "after token " + token);
        }
        float[] attnOut = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("blk.0.attn_output.weight").orElseThrow());
        float[] ffnDown = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("blk.0.ffn_down.weight").orElseThrow());
        assertEquals(0.0, maxAbs(attnOut));
        assertEquals(0.0, maxAbs(ffnDown));
    }

    @Test
    void characterAfterALetter_isSpeltInByteTokens_andThenTheAlphabetGoesOn() throws IOException {
        Path file = dir.resolve("emoji.gguf");
        SuccessorModel.writeWithCharacter(file, 'c', "\uD83D\uDE00");
        GgufFile gguf = GgufReader.read(file);
        int n = (int) gguf.embeddingLength();
        float[] embd = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("token_embd.weight").orElseThrow());
        float[] out = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("output.weight").orElseThrow());

        // c -> <0xF0> -> <0x9F> -> <0x98> -> <0x80> -> d, and b -> c, d -> e as before
        int c = 260 + 2;
        int[] chain = {c, 3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80, c + 1};
        for (int i = 0; i + 1 < chain.length; i++) {
            assertEquals(chain[i + 1], argmaxAfter(chain[i], embd, out, n, (int) gguf.vocabSize()), "after token " + chain[i]);
        }
        assertEquals(c, argmaxAfter(c - 1, embd, out, n, (int) gguf.vocabSize()));
        assertEquals(c + 2, argmaxAfter(c + 1, embd, out, n, (int) gguf.vocabSize()));
    }

    @Test
    void characterThatIsNotMultiByte_orRepeatsAByte_isRefused() {
        Path file = dir.resolve("bad.gguf");
        assertThrows(IllegalArgumentException.class, () -> SuccessorModel.writeWithCharacter(file, 'c', "x"));
        assertThrows(IllegalArgumentException.class, () -> SuccessorModel.writeWithCharacter(file, 'c', "éé"));
        assertThrows(IllegalArgumentException.class, () -> SuccessorModel.writeWithCharacter(file, 'C', "é"));
        // U+1082 is E1 82 82: the byte token 0x82 cannot be followed by itself and by the next letter.
        assertThrows(IllegalArgumentException.class, () -> SuccessorModel.writeWithCharacter(file, 'c', "\u1082"));
    }


    @ParameterizedTest
    @EnumSource(value = ModelShape.Architecture.class, names = {"QWEN3", "QWEN3MOE"})
    void qwen3Models_argmaxFollowsTheAlphabet_zEndsWithImEnd_andBlocksAddNothing(ModelShape.Architecture arch)
            throws IOException {
        // given the known-answer model of a Qwen3 architecture
        Path file = dir.resolve("successor-" + arch + ".gguf");
        SuccessorModel.write(file, arch);
        GgufFile gguf = GgufReader.read(file);
        int n = (int) gguf.embeddingLength();
        int vocab = (int) gguf.vocabSize();
        float[] embd = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("token_embd.weight").orElseThrow());
        float[] out = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("output.weight").orElseThrow());

        // then its heads are wider than n_embd / n_head, as in real Qwen3
        String a = arch.ggufName();
        assertEquals(a, gguf.architecture());
        assertEquals(32, gguf.get(a + ".attention.key_length").orElseThrow().asLong());
        assertEquals(16, n / gguf.headCount());
        assertEquals(List.of(64L, 128L), gguf.tensor("blk.0.attn_q.weight").orElseThrow().dims());
        assertEquals(List.of(32L), gguf.tensor("blk.0.attn_k_norm.weight").orElseThrow().dims());

        // and the letters (alone and as " x" words) are followed by the next letter, z by <|im_end|>, space by a
        int imEnd = vocab - 1;
        assertEquals("<|im_end|>", gguf.get("tokenizer.ggml.tokens").orElseThrow().asArray().elements().get(imEnd));
        assertEquals('a', argmaxAfter(' ', embd, out, n, vocab));
        for (int letter = 0; letter < 26; letter++) {
            int expected = letter == 25 ? imEnd : 'a' + letter + 1;
            assertEquals(expected, argmaxAfter('a' + letter, embd, out, n, vocab), "after " + (char) ('a' + letter));
            assertEquals(expected, argmaxAfter(256 + letter, embd, out, n, vocab), "after Ġ" + (char) ('a' + letter));
        }

        // and every block writes zero into the residual stream
        assertEquals(0.0, maxAbs(GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("blk.0.attn_output.weight").orElseThrow())));
        String down = arch == ModelShape.Architecture.QWEN3MOE ? "blk.0.ffn_down_exps.weight" : "blk.0.ffn_down.weight";
        GgufFile.TensorInfo downInfo = gguf.tensor(down).orElseThrow();
        assertEquals(0.0, maxAbs(GgufRoundTripTest.Dequantizer.decode(file, gguf, downInfo)));
        if (arch == ModelShape.Architecture.QWEN3MOE) {
            assertEquals(List.of(64L, 64L, 4L), downInfo.dims());
            assertEquals(4, gguf.get(a + ".expert_count").orElseThrow().asLong());
            assertEquals(2, gguf.get(a + ".expert_used_count").orElseThrow().asLong());
            assertEquals(GgmlType.F32, gguf.tensor("blk.0.ffn_gate_inp.weight").orElseThrow().type());
        }
    }

    @Test
    void bpeVocabulary_hasGpt2ByteTokens_spaceLetterMerges_andChatMlControlTokens() {
        Path file = dir.resolve("qwen3.gguf");
        SuccessorModel.write(file, ModelShape.Architecture.QWEN3);
        GgufFile gguf = GgufReader.read(file);
        List<Object> tokens = gguf.get("tokenizer.ggml.tokens").orElseThrow().asArray().elements();
        List<Object> types = gguf.get("tokenizer.ggml.token_type").orElseThrow().asArray().elements();

        assertEquals("gpt2", gguf.get("tokenizer.ggml.model").orElseThrow().asString());
        assertEquals("qwen2", gguf.get("tokenizer.ggml.pre").orElseThrow().asString());
        assertEquals(285, tokens.size());
        assertEquals("a", tokens.get('a'));
        assertEquals("\u0120", tokens.get(' '));
        assertEquals("\u010a", tokens.get('\n'));
        assertEquals("\u0120a", tokens.get(256));
        assertEquals(List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"), tokens.subList(282, 285));
        assertEquals(List.of(3L, 3L, 3L), types.subList(282, 285));
        assertEquals("\u0120 a", gguf.get("tokenizer.ggml.merges").orElseThrow().asArray().elements().getFirst());
        assertEquals(282, gguf.get("tokenizer.ggml.bos_token_id").orElseThrow().asLong());
        assertEquals(284, gguf.get("tokenizer.ggml.eos_token_id").orElseThrow().asLong());
        assertEquals(false, gguf.get("tokenizer.ggml.add_bos_token").orElseThrow().asBoolean());
    }

    @Test
    void chatMlModel_answersAChatMlPromptWithTheAlphabet_thenImEnd_whichIsNotTheEos() throws IOException {
        // given the chat model
        Path file = dir.resolve("chatml.gguf");
        SuccessorModel.writeChatMl(file);
        GgufFile gguf = GgufReader.read(file);
        int n = (int) gguf.embeddingLength();
        int vocab = (int) gguf.vocabSize();
        float[] embd = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("token_embd.weight").orElseThrow());
        float[] out = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("output.weight").orElseThrow());
        List<Object> tokens = gguf.get("tokenizer.ggml.tokens").orElseThrow().asArray().elements();
        List<Object> types = gguf.get("tokenizer.ggml.token_type").orElseThrow().asArray().elements();

        // then it is the llama vocabulary plus two ChatML control tokens, EOS stays </s>, and it carries ChatML
        assertEquals("llama", gguf.architecture());
        assertEquals(288, vocab);
        assertEquals(List.of("<|im_start|>", "<|im_end|>"), tokens.subList(286, 288));
        assertEquals(List.of(3L, 3L), types.subList(286, 288));
        assertEquals("</s>", tokens.get((int) gguf.get("tokenizer.ggml.eos_token_id").orElseThrow().asLong()));
        assertEquals("<s>", tokens.get((int) gguf.get("tokenizer.ggml.bos_token_id").orElseThrow().asLong()));
        assertEquals(SuccessorModel.CHATML_TEMPLATE, gguf.get("tokenizer.chat_template").orElseThrow().asString());

        // and the newline byte (the last token of a ChatML prompt) is followed by a, a..y by the next letter,
        // z by <|im_end|>, and <|im_start|> by n
        int newline = 3 + '\n';
        assertEquals(260, argmaxAfter(newline, embd, out, n, vocab));
        for (int letter = 0; letter < 26; letter++) {
            assertEquals(letter == 25 ? 287 : 261 + letter, argmaxAfter(260 + letter, embd, out, n, vocab),
                    "after " + (char) ('a' + letter));
        }
        assertEquals(260 + ('n' - 'a'), argmaxAfter(286, embd, out, n, vocab));
        // and "<|im_start|>" read as plain text, which ends with the byte '>', ends at once with </s>
        assertEquals(2, argmaxAfter(3 + '>', embd, out, n, vocab));
        // and '{' is followed by '}'
        assertEquals(3 + '}', argmaxAfter(3 + '{', embd, out, n, vocab));
    }

    /** The argmax of the logits after {@code token} when every block adds nothing (RMS-normalised embedding). */
    private static int argmaxAfter(int token, float[] embd, float[] out, int n, int vocab) {
        double rms = 0;
        for (int i = 0; i < n; i++) {
            rms += embd[token * n + i] * embd[token * n + i];
        }
        rms = Math.sqrt(rms / n + 1e-5);
        int best = -1;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < vocab; j++) {
            double logit = 0;
            for (int i = 0; i < n; i++) {
                logit += embd[token * n + i] / rms * out[j * n + i];
            }
            if (logit > bestLogit) {
                bestLogit = logit;
                best = j;
            }
        }
        return best;
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
