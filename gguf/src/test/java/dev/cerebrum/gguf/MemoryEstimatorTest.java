package dev.cerebrum.gguf;

import dev.cerebrum.engine.MemoryEstimate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryEstimatorTest {

    @TempDir
    static Path dir;
    static GgufFile successor;
    static GgufFile gqa;

    @BeforeAll
    static void models() {
        Path a = dir.resolve("successor.gguf");
        SuccessorModel.write(a);
        successor = GgufReader.read(a);
        Path b = dir.resolve("gqa.gguf");
        RandomModel.write(b, new ModelShape(2, 128, 256, 8, 2, 1000, 256), GgmlType.Q8_0, 7);
        gqa = GgufReader.read(b);
    }

    @Test
    void kvCache_growsLinearlyWithContext() {
        long kv512 = MemoryEstimator.estimate(successor, 512, 1).kvCacheBytes();
        long kv1024 = MemoryEstimator.estimate(successor, 1024, 1).kvCacheBytes();
        long kv4096 = MemoryEstimator.estimate(successor, 4096, 1).kvCacheBytes();
        assertTrue(kv512 > 0);
        assertEquals(2 * kv512, kv1024);
        assertEquals(8 * kv512, kv4096);
    }

    @Test
    void kvCache_isIndependentOfTheSlotCount() {
        assertEquals(MemoryEstimator.estimate(successor, 2048, 1).kvCacheBytes(),
                MemoryEstimator.estimate(successor, 2048, 8).kvCacheBytes());
    }

    @Test
    void kvCache_scalesWithKvHeadsNotAllHeads() {
        // given two models of the same depth and width, one with 8 heads sharing 2 KV heads
        ModelShape shape = gqaShape();
        ModelShape mha = new ModelShape(2, 128, 256, 8, 8, 1000, 256);
        Path file = dir.resolve("mha.gguf");
        RandomModel.write(file, mha, GgmlType.Q8_0, 7);

        // then the grouped-query model needs a quarter of the KV cache
        long full = MemoryEstimator.estimate(GgufReader.read(file), 256, 1).kvCacheBytes();
        long grouped = MemoryEstimator.estimate(gqa, 256, 1).kvCacheBytes();
        assertEquals(full, grouped * shape.headCount() / shape.headCountKv());
    }

    @Test
    void weights_areTheTensorBytes() {
        MemoryEstimate e = MemoryEstimator.estimate(gqa, 256, 1);
        assertEquals(gqa.tensorBytes(), e.weightsBytes());
        assertTrue(gqa.tensorBytes() < gqa.fileSize());
        assertEquals(e.weightsBytes() + e.kvCacheBytes() + e.computeBytes(), e.totalBytes());
    }

    @Test
    void computeBuffer_growsWithContextAndCoversTheRuntime() {
        MemoryEstimate small = MemoryEstimator.estimate(successor, 512, 1);
        MemoryEstimate big = MemoryEstimator.estimate(successor, 4096, 1);
        assertTrue(small.computeBytes() > MemoryEstimator.RUNTIME_OVERHEAD_BYTES);
        assertTrue(big.computeBytes() > small.computeBytes());
    }

    @Test
    void zeroContext_meansTheTrainedContext() {
        assertEquals(MemoryEstimator.estimate(successor, 512, 2), MemoryEstimator.estimate(successor, 0, 2));
    }

    @Test
    void tinyLlamaShape_matchesTheBuffersLlamaCppReported() {
        // given the header of a TinyLlama-shaped model (no tensor data is needed for an estimate)
        ModelShape shape = ModelShape.tinyLlama();
        GgufWriter header = new GgufWriter();
        shape.putMetadata(header, "tinyllama", GgmlType.Q8_0);
        Path file = dir.resolve("tinyllama-header.gguf");
        header.write(file);

        // when estimated for a 2048-token context with one slot
        MemoryEstimate e = MemoryEstimator.estimate(GgufReader.read(file), 2048, 1);

        // then KV cache and compute buffers are what llama.cpp b4916 logged for this shape:
        // "KV self size = 44.00 MiB", "compute buffer size = 148.01 MiB", "output buffer size = 0.12 MiB"
        assertEquals(44.0, mib(e.kvCacheBytes()), 0.005);
        assertEquals(148.01 + 0.12, mib(e.computeBytes() - MemoryEstimator.RUNTIME_OVERHEAD_BYTES), 0.02);
    }

    @Test
    void successor_matchesTheBuffersLlamaCppReported() {
        // llama.cpp b4916 logged "KV self size = 0.12 MiB" and "compute buffer size = 5.51 MiB" at ctx 512,
        // and 20.51 MiB at ctx 2048; the output buffer of 286 logits rounds to 0.00 MiB
        assertEquals(0.125, mib(MemoryEstimator.estimate(successor, 512, 1).kvCacheBytes()), 0.001);
        assertEquals(5.51, mib(MemoryEstimator.estimate(successor, 512, 1).computeBytes() - MemoryEstimator.RUNTIME_OVERHEAD_BYTES), 0.01);
        assertEquals(20.51, mib(MemoryEstimator.estimate(successor, 2048, 1).computeBytes() - MemoryEstimator.RUNTIME_OVERHEAD_BYTES), 0.01);
    }

    @Test
    void theDefault_isTheB4916Estimate() {
        assertEquals(MemoryEstimator.estimate(successor, 2048, 2, 512, MemoryEstimator.LlamaBuild.B4916),
                MemoryEstimator.estimate(successor, 2048, 2));
    }

    @Test
    void current_padsTheContextTo256_andEachSlotsShareTo256() {
        // 1000 tokens -> 1024 -> 341 per slot -> 512 per slot: 1536 cells of 1 layer x (64 + 64) f16 values
        MemoryEstimate e = MemoryEstimator.estimate(successor, 1000, 3, 512, MemoryEstimator.LlamaBuild.CURRENT);
        assertEquals(1536L * (64 + 64) * 2, e.kvCacheBytes());
        assertEquals(4096L * (64 + 64) * 2,
                MemoryEstimator.estimate(successor, 4096, 4, 512, MemoryEstimator.LlamaBuild.CURRENT).kvCacheBytes());
    }

    @Test
    void current_kvCache_usesTheKeyLengthOfQwen3() {
        // given a qwen3 model whose 2 KV heads are 96 wide, where n_embd / n_head is 64
        Path file = dir.resolve("qwen3.gguf");
        RandomModel.write(file, ModelShape.qwen3(3, 512, 512, 8, 2, 96, 1000, 4096), GgmlType.Q8_0, 1);

        MemoryEstimate e = MemoryEstimator.estimate(GgufReader.read(file), 2048, 1, 512, MemoryEstimator.LlamaBuild.CURRENT);

        assertEquals(3L * 2048 * (2 * 96 + 2 * 96) * 2, e.kvCacheBytes());
    }

    @Test
    void current_compute_isMaskLogitsAndTheWidestActivation_theActiveExpertsIncluded() {
        // given a mixture of 8 experts of width 256 with 4 in use: 1024 active, wider than n_embd 128
        Path moe = dir.resolve("moe8.gguf");
        RandomModel.write(moe, ModelShape.qwen3Moe(1, 128, 256, 4, 2, 32, 1000, 4096, 8, 4), GgmlType.Q8_0, 1);

        MemoryEstimate e = MemoryEstimator.estimate(GgufReader.read(moe), 2048, 2, 512, MemoryEstimator.LlamaBuild.CURRENT);

        long mask = 2L * 1024 * 512;
        long logits = 4L * 1000 * 512;
        long activations = 16L * 512 * 1024;
        long output = 4L * 1000 * 2;
        assertEquals(mask + logits + activations + output + MemoryEstimator.RUNTIME_OVERHEAD_BYTES, e.computeBytes());
    }

    @Test
    void current_countsTheRepackedCopyOfQ4_0Matrices_butNotTheEmbeddingTable() {
        // given a Q4_0 model: every matrix but the token embedding is multiplied, and has rows in eights
        Path q4 = dir.resolve("q4.gguf");
        RandomModel.write(q4, new ModelShape(2, 128, 256, 4, 2, 1000, 256), GgmlType.Q4_0, 1);
        GgufFile file = GgufReader.read(q4);
        long matrices = file.tensors().stream()
                .filter(t -> t.type() == GgmlType.Q4_0 && !t.name().equals("token_embd.weight"))
                .mapToLong(GgufFile.TensorInfo::byteSize).sum();

        // then x86-64 keeps a second copy of exactly those, and the current estimate's weights include it
        assertTrue(matrices > 0);
        assertEquals(matrices, MemoryEstimator.repackedBytes(file, MemoryEstimator.CpuFamily.X86_64));
        assertEquals(0, MemoryEstimator.repackedBytes(file, MemoryEstimator.CpuFamily.OTHER));
        assertEquals(file.tensorBytes() + MemoryEstimator.repackedBytes(file, MemoryEstimator.CpuFamily.current()),
                MemoryEstimator.estimate(file, 512, 1, 512, MemoryEstimator.LlamaBuild.CURRENT).weightsBytes());
        assertEquals(matrices, MemoryEstimator.repackedBytes(file, MemoryEstimator.CpuFamily.X86_64,
                MemoryEstimator.LlamaBuild.B4916), "b4916 repacks Q4_0 too");
    }

    @Test
    void current_repacksQ8_0OnArmOnly() {
        Path q8 = dir.resolve("q8.gguf");
        RandomModel.write(q8, new ModelShape(2, 128, 256, 4, 2, 1000, 256), GgmlType.Q8_0, 1);
        GgufFile file = GgufReader.read(q8);

        assertEquals(0, MemoryEstimator.repackedBytes(file, MemoryEstimator.CpuFamily.X86_64));
        assertTrue(MemoryEstimator.repackedBytes(file, MemoryEstimator.CpuFamily.AARCH64) > 0);
        assertEquals(0, MemoryEstimator.repackedBytes(file, MemoryEstimator.CpuFamily.AARCH64,
                MemoryEstimator.LlamaBuild.B4916), "b4916 has no Q8_0 repacking");
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    private static ModelShape gqaShape() {
        return new ModelShape(2, 128, 256, 8, 2, 1000, 256);
    }
}
