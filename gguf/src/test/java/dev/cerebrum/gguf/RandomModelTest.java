package dev.cerebrum.gguf;

import dev.cerebrum.engine.MemoryEstimate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomModelTest {

    private static final ModelShape TINY = new ModelShape(2, 128, 256, 4, 2, 1000, 256);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0"})
    void tinyShape_roundTripsThroughTheReaderAndEstimator(GgmlType type) {
        // given a tiny random model
        Path file = dir.resolve("tiny.gguf");
        RandomModel.write(file, TINY, type, 1);

        // when read back
        GgufFile gguf = GgufReader.read(file);

        // then it has the shape, the llama tensors of the type, and an estimate over all its tensors
        assertEquals(TINY.blockCount(), gguf.blockCount());
        assertEquals(TINY.embeddingLength(), gguf.embeddingLength());
        assertEquals(TINY.feedForwardLength(), gguf.feedForwardLength());
        assertEquals(TINY.headCount(), gguf.headCount());
        assertEquals(TINY.headCountKv(), gguf.headCountKv());
        assertEquals(TINY.vocabSize(), gguf.vocabSize());
        assertEquals(TINY.contextLength(), gguf.contextLength());
        assertEquals(type.name(), gguf.fileType());
        assertEquals(3 + 9 * TINY.blockCount(), gguf.tensors().size());
        assertEquals(List.of(128L, 64L), gguf.tensor("blk.1.attn_k.weight").orElseThrow().dims());
        assertEquals(List.of(256L, 128L), gguf.tensor("blk.0.ffn_down.weight").orElseThrow().dims());
        assertEquals(type, gguf.tensor("output.weight").orElseThrow().type());
        assertEquals(GgmlType.F32, gguf.tensor("output_norm.weight").orElseThrow().type());
        long expectedBytes = 0;
        for (GgufFile.TensorInfo t : gguf.tensors()) {
            expectedBytes += t.elementCount() / t.type().blockSize() * t.type().typeSize();
        }
        MemoryEstimate e = MemoryEstimator.estimate(gguf, 256, 2);
        // the tensors, and for Q4_0 the copy llama.cpp repacks
        assertEquals(expectedBytes + MemoryEstimator.repackedBytes(gguf, MemoryEstimator.CpuFamily.current(),
                MemoryEstimator.LlamaBuild.B4916), e.weightsBytes());
        assertTrue(e.kvCacheBytes() > 0 && e.computeBytes() > 0);
    }

    @Test
    void quantWeights_haveASmallSpreadAndNormsAreOne() throws IOException {
        Path file = dir.resolve("q8.gguf");
        RandomModel.write(file, TINY, GgmlType.Q8_0, 5);
        GgufFile gguf = GgufReader.read(file);

        float[] w = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("blk.0.attn_q.weight").orElseThrow());
        double sumSq = 0;
        for (float v : w) {
            assertTrue(Float.isFinite(v));
            sumSq += v * v;
        }
        double std = Math.sqrt(sumSq / w.length);
        assertTrue(std > 0.015 && std < 0.025, "std " + std);
        float[] norm = GgufRoundTripTest.Dequantizer.decode(file, gguf, gguf.tensor("blk.1.ffn_norm.weight").orElseThrow());
        for (float v : norm) {
            assertEquals(1f, v);
        }
    }

    @Test
    void sameSeed_givesTheSameBytes_otherSeed_otherWeights() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        RandomModel.write(a, TINY, GgmlType.Q8_0, 9);
        RandomModel.write(b, TINY, GgmlType.Q8_0, 9);
        RandomModel.write(c, TINY, GgmlType.Q8_0, 10);
        assertEquals(-1, Files.mismatch(a, b));
        assertNotEquals(-1, Files.mismatch(a, c));
        assertEquals(Files.size(a), Files.size(c));
    }

    @Test
    void tinyLlamaVocabulary_isAValidSpmVocabularyOfExactly32000UniqueTokens() {
        // given a narrow model with TinyLlama's vocabulary size
        ModelShape shape = ModelShape.tinyLlama();
        Path file = dir.resolve("vocab.gguf");
        RandomModel.write(file, new ModelShape(1, 32, 32, 1, 1, shape.vocabSize(), 64), GgmlType.Q8_0, 1);

        // when its vocabulary is read back
        GgufFile gguf = GgufReader.read(file);
        List<Object> tokens = gguf.get("tokenizer.ggml.tokens").orElseThrow().asArray().elements();
        List<Object> types = gguf.get("tokenizer.ggml.token_type").orElseThrow().asArray().elements();

        // then it holds specials, all 256 byte tokens, the space piece and letters, all unique
        assertEquals(32000, tokens.size());
        assertEquals(32000, new HashSet<>(tokens).size());
        assertEquals(List.of("<unk>", "<s>", "</s>", "<0x00>"), tokens.subList(0, 4));
        assertEquals("<0xFF>", tokens.get(258));
        assertEquals("\u2581", tokens.get(259));
        assertEquals("a", tokens.get(260));
        assertEquals("z", tokens.get(285));
        assertEquals(6L, types.get(3 + 0x41));
        assertEquals(3L, types.get(2));
        assertEquals(32000, gguf.get("tokenizer.ggml.scores").orElseThrow().asArray().size());
    }

    @Test
    void qwen3Shape_hasWideHeads_qkNorms_aBpeVocabulary_andTheQwen3Keys() {
        // given a small random qwen3 model whose heads are wider than n_embd / n_head
        ModelShape shape = ModelShape.qwen3(2, 128, 256, 8, 2, 32, 1000, 512);
        Path file = dir.resolve("qwen3.gguf");
        RandomModel.write(file, shape, GgmlType.Q8_0, 3);

        // when read back
        GgufFile gguf = GgufReader.read(file);

        // then it is a qwen3 file of that shape, its KV width is heads x key_length, with a BPE vocabulary
        assertEquals("qwen3", gguf.architecture());
        assertEquals(32, gguf.get("qwen3.attention.key_length").orElseThrow().asLong());
        assertEquals(3 + 11 * shape.blockCount(), gguf.tensors().size());
        assertEquals(List.of(128L, 256L), gguf.tensor("blk.0.attn_q.weight").orElseThrow().dims());
        assertEquals(List.of(128L, 64L), gguf.tensor("blk.0.attn_k.weight").orElseThrow().dims());
        assertEquals(List.of(256L, 128L), gguf.tensor("blk.1.attn_output.weight").orElseThrow().dims());
        assertEquals("gpt2", gguf.get("tokenizer.ggml.model").orElseThrow().asString());
        assertEquals(1000, gguf.vocabSize());
        assertEquals(2L * 512 * (64 + 64) * 2, MemoryEstimator.estimate(gguf, 512, 1).kvCacheBytes());
    }

    @Test
    void qwen3MoeShape_hasThreeDimensionalExpertTensors_andAnF32Router() {
        ModelShape shape = ModelShape.qwen3Moe(1, 128, 64, 4, 2, 64, 600, 256, 8, 2);
        Path file = dir.resolve("moe.gguf");
        RandomModel.write(file, shape, GgmlType.Q4_0, 4);

        GgufFile gguf = GgufReader.read(file);

        assertEquals("qwen3moe", gguf.architecture());
        assertEquals(8, gguf.get("qwen3moe.expert_count").orElseThrow().asLong());
        assertEquals(64, gguf.get("qwen3moe.expert_feed_forward_length").orElseThrow().asLong());
        assertEquals(List.of(128L, 64L, 8L), gguf.tensor("blk.0.ffn_gate_exps.weight").orElseThrow().dims());
        assertEquals(List.of(64L, 128L, 8L), gguf.tensor("blk.0.ffn_down_exps.weight").orElseThrow().dims());
        assertEquals(GgmlType.Q4_0, gguf.tensor("blk.0.ffn_up_exps.weight").orElseThrow().type());
        assertEquals(GgmlType.F32, gguf.tensor("blk.0.ffn_gate_inp.weight").orElseThrow().type());
        assertTrue(gguf.tensor("blk.0.ffn_gate.weight").isEmpty());
    }

    @Test
    void invalidShapes_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> ModelShape.qwen3Moe(1, 64, 64, 4, 2, 32, 600, 256, 4, 5));
        assertThrows(IllegalArgumentException.class, () -> ModelShape.qwen3(1, 64, 64, 4, 3, 32, 600, 256));
        assertThrows(IllegalArgumentException.class, () -> new ModelShape(ModelShape.Architecture.LLAMA,
                1, 64, 64, 4, 4, 32, 600, 256, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ModelShape(ModelShape.Architecture.QWEN3,
                1, 64, 64, 4, 4, 32, 600, 256, 4, 2));
    }
}
