package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.gguf.GgmlType;
import dev.cerebrum.gguf.ModelShape;
import dev.cerebrum.gguf.RandomModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Prints prompt and decode tokens/s of a random TinyLlama-shaped Q4_0 model through the core, at 1 and 2
 * threads (128-token prompt, 64 tokens, median of 3). Each run's prompt starts with another word, so that no run
 * finds its prompt in a slot's cache (prefix reuse). Not a test: run it by hand, under the CPU lock.
 * Arguments: the natives folder, and a scratch folder for the 0.6 GB model.
 */
public final class CoreSpeedProbe {

    private CoreSpeedProbe() {
    }

    public static void main(String[] args) {
        LlamaRuntime runtime = LlamaRuntime.load(Path.of(args[0]));
        Path model = Path.of(args[1]).resolve("tinyllama-q4_0.gguf");
        if (!Files.exists(model)) {
            RandomModel.write(model, ModelShape.tinyLlama(), GgmlType.Q4_0, 1);
        }
        System.out.println(runtime.systemInfo());
        for (int threads : new int[]{1, 2}) {
            try (GenerationCore core = GenerationCore.load(runtime,
                    new CoreConfig(model, 2048, 1, threads, threads, 512, 512, 512, false, true, 0))) {
                StringBuilder prompt = new StringBuilder();
                while (core.countTokens(prompt.toString()) < 128) {
                    prompt.append("hello ");
                }
                while (core.countTokens(prompt.toString()) > 128) {
                    prompt.setLength(prompt.length() - 1);
                }
                String base = prompt.toString();
                run(core, request("warm " + base));  // warm-up: pages the weights in
                double[] promptRates = new double[3];
                double[] decodeRates = new double[3];
                int tokens = 0;
                for (int i = 0; i < 3; i++) {
                    GenerationEvent.Finished f = run(core, request(List.of("one ", "two ", "six ").get(i) + base));
                    promptRates[i] = f.timings().promptTokensPerSecond();
                    decodeRates[i] = f.timings().decodeTokensPerSecond();
                    tokens = f.promptTokens();
                }
                Arrays.sort(promptRates);
                Arrays.sort(decodeRates);
                System.out.printf("resident %.0f MiB with the model loaded (tensor data %.0f MiB)%n", residentMib(),
                        core.model().weightBytes() / 1048576.0);
                System.out.printf("threads %d: prompt %d tokens %.1f tok/s, decode %.1f tok/s (runs %s / %s)%n", threads,
                        tokens, promptRates[1], decodeRates[1], Arrays.toString(promptRates), Arrays.toString(decodeRates));
            }
        }
    }

    private static GenerationRequest request(String prompt) {
        return GenerationRequest.builder(prompt).greedy().maxTokens(64).ignoreEos(true).build();
    }

    private static double residentMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return -1;
    }

    private static GenerationEvent.Finished run(GenerationCore core, GenerationRequest request) {
        Collector c = new Collector();
        core.submit(request, c);
        return c.finished();
    }
}
