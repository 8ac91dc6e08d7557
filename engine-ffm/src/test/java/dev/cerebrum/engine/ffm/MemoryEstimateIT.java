package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.MemoryEstimate;
import dev.cerebrum.gguf.GgmlType;
import dev.cerebrum.gguf.GgufReader;
import dev.cerebrum.gguf.MemoryEstimator;
import dev.cerebrum.gguf.ModelShape;
import dev.cerebrum.gguf.ModelShape.Architecture;
import dev.cerebrum.gguf.RandomModel;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory estimate of the current llama.cpp against the buffer sizes that llama.cpp itself logs when it
 * loads the model, read through our log callback: the KV cache exactly, the compute and output buffers as an
 * upper bound that is not far off.
 */
class MemoryEstimateIT {

    private static final Pattern BUFFER = Pattern.compile("CPU +(KV|compute|output) buffer size = +([0-9.]+) MiB");
    private static final Pattern MODEL_BUFFER = Pattern.compile("(CPU_Mapped|CPU_REPACK|CPU) model buffer size = +([0-9.]+) MiB");

    @TempDir
    static Path dir;
    static LlamaRuntime runtime;

    @BeforeAll
    static void natives() {
        runtime = TestNatives.runtime();
    }

    static Stream<Arguments> models() {
        Path llama = dir.resolve("llama-q4.gguf");
        RandomModel.write(llama, new ModelShape(4, 512, 1024, 8, 2, 8000, 4096), GgmlType.Q4_0, 1);
        Path wideVocab = dir.resolve("llama-vocab.gguf");
        RandomModel.write(wideVocab, new ModelShape(2, 256, 512, 4, 4, 20000, 4096), GgmlType.F32, 2);
        Path qwen3 = dir.resolve("qwen3.gguf");
        RandomModel.write(qwen3, ModelShape.qwen3(4, 512, 1024, 8, 2, 96, 5000, 4096), GgmlType.Q8_0, 3);
        Path moe = dir.resolve("qwen3moe.gguf");
        RandomModel.write(moe, ModelShape.qwen3Moe(4, 512, 256, 8, 4, 64, 5000, 4096, 16, 4), GgmlType.Q8_0, 4);
        Path moeQ4 = dir.resolve("qwen3moe-q4.gguf");
        RandomModel.write(moeQ4, ModelShape.qwen3Moe(2, 512, 256, 8, 4, 64, 5000, 4096, 16, 4), GgmlType.Q4_0, 5);
        List<Path> files = List.of(TestModels.successor(), TestModels.successor(Architecture.QWEN3),
                TestModels.successor(Architecture.QWEN3MOE), llama, wideVocab, qwen3, moe, moeQ4);
        int[][] contexts = {{512, 1}, {2048, 1}, {1000, 3}, {4096, 4}};
        return files.stream().flatMap(f -> Stream.of(contexts).map(c -> Arguments.of(f.getFileName().toString(), f, c[0], c[1])));
    }

    @ParameterizedTest(name = "{0}, context {2}, {3} slots")
    @MethodSource("models")
    void estimate_matchesTheWeightsAndKvCache_andBoundsTheComputeBuffersLlamaCppLogs(String name, Path model, int context,
                                                                                    int slots) {
        // given the estimate for the current llama.cpp
        MemoryEstimate estimate = MemoryEstimator.estimate(GgufReader.read(model), context, slots, 512,
                MemoryEstimator.LlamaBuild.CURRENT);

        // when llama.cpp loads the model with that context and those slots
        double kv = 0;
        double buffers = 0;
        double weights = 0;
        double repacked = 0;
        try (NativeLogCapture log = new NativeLogCapture()) {
            GenerationCore.load(runtime, new CoreConfig(model, context, slots, 1, 1, 512, 512, 512, false, true, 0)).close();
            for (String line : log.lines()) {
                Matcher w = MODEL_BUFFER.matcher(line);
                if (w.find()) {
                    weights += Double.parseDouble(w.group(2));
                    repacked += w.group(1).equals("CPU_REPACK") ? Double.parseDouble(w.group(2)) : 0;
                }
                Matcher m = BUFFER.matcher(line);
                if (m.find() && line.contains("buffer size =")) {
                    double mib = Double.parseDouble(m.group(2));
                    if (m.group(1).equals("KV")) {
                        kv += mib;
                    } else {
                        buffers += mib;
                    }
                }
            }
        }

        // then the repacked copy and the KV cache are what llama.cpp allocated, the weights bound its model
        // buffers (the mapped one covers a range of the file; the file's pages of repacked tensors are read to
        // repack them, so they are resident too), and compute + output buffers are bounded from above
        double estimatedCompute = mib(estimate.computeBytes() - MemoryEstimator.RUNTIME_OVERHEAD_BYTES);
        long tensorBytes = GgufReader.read(model).tensorBytes();
        System.out.printf("%s ctx %d slots %d: model buffers %.2f MiB, of which repacked %.2f (estimate: weights %.2f,"
                        + " repacked %.2f), KV %.2f MiB (estimate %.2f), compute+output %.2f MiB (estimate %.2f)%n", name,
                context, slots, weights, repacked, mib(estimate.weightsBytes()),
                mib(estimate.weightsBytes() - tensorBytes), kv, mib(estimate.kvCacheBytes()), buffers, estimatedCompute);
        assertTrue(kv > 0 && buffers > 0 && weights > 0, "llama.cpp logged its buffer sizes");
        assertEquals(repacked, mib(estimate.weightsBytes() - tensorBytes), 0.011, "the repacked copy");
        assertTrue(weights <= mib(estimate.weightsBytes()) + 0.01, "weights " + weights + " MiB within the estimate");
        assertEquals(kv, mib(estimate.kvCacheBytes()), 0.006, "KV cache");
        assertTrue(estimatedCompute >= buffers - 0.02, "the estimate " + estimatedCompute + " MiB covers " + buffers);
        assertTrue(estimatedCompute <= buffers * 1.5 + 8, "the estimate " + estimatedCompute + " MiB is near " + buffers);
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
