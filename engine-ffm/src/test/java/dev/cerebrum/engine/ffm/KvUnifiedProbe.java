package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.gguf.GgmlType;
import dev.cerebrum.gguf.ModelShape;
import dev.cerebrum.gguf.RandomModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code kv_unified} (needed to share a prefix's cells between running sequences, {@code llama_memory_seq_cp})
 * costs: four streams on four slots of a random TinyLlama-shaped Q4_0 model, with and without it. Not part of any
 * suite (failsafe runs only {@code *IT}); run it by name, under the CPU lock:
 * {@code mvn -pl engine-ffm -am verify -Dtest=NONE -Dit.test=KvUnifiedProbe -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class KvUnifiedProbe {

    @TempDir
    Path dir;

    @Test
    void printsDecodeSpeedWithAndWithoutUnifiedKv() {
        Path model = dir.resolve("tinyllama-q4_0.gguf");
        RandomModel.write(model, ModelShape.tinyLlama(), GgmlType.Q4_0, 1);
        for (boolean unified : new boolean[]{false, true, false, true}) {
            try (GenerationCore core = GenerationCore.load(TestNatives.runtime(),
                    new CoreConfig(model, 8192, 4, 2, 2, 512, 512, 512, unified, true, 0))) {
                Cores.run(core, request("warm up", 4));
                long start = System.nanoTime();
                List<Collector> streams = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Collector c = new Collector();
                    core.submit(request(List.of("one", "two", "six", "ten").get(i) + " hello".repeat(120), 48), c);
                    streams.add(c);
                }
                double decode = 0;
                int tokens = 0;
                for (Collector c : streams) {
                    GenerationEvent.Finished f = c.finished();
                    decode += f.timings().decodeTokensPerSecond();
                    tokens += f.completionTokens();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("kv_unified=%s: 4 streams, %d tokens in %.2f s: aggregate %.1f tok/s, per-stream"
                        + " decode %.1f tok/s (mean)%n", unified, tokens, seconds, tokens / seconds, decode / 4);
            }
        }
    }

    private static GenerationRequest request(String prompt, int tokens) {
        return GenerationRequest.builder(prompt).greedy().maxTokens(tokens).ignoreEos(true).build();
    }
}
