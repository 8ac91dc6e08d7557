package dev.cerebrum.guard;

import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Pieces the integration tests share: the real llama.cpp engine, its worker processes, known answers. */
final class RealEngine {
    private RealEngine() {
    }

    static InferenceEngine create(Path workDir) {
        return InferenceEngines.create("llamacpp", EngineOptions.of(workDir));
    }

    static ModelEntry entry(Path file, String name, int contextSize, int parallel, int idleMinutes, boolean pinned) {
        return new ModelEntry.Usable(name, ModelSpec.of(name, file, contextSize, 1, parallel), idleMinutes, pinned);
    }

    /** Greedy: the successor model continues "abc" with "defghijk" and "w" with "xyz", then stops. */
    static GenerationRequest greedy(String prompt) {
        return GenerationRequest.builder(prompt).maxTokens(8).greedy().build();
    }

    /** A generation that keeps its slot until it is cancelled or read to the end. */
    static GenerationRequest long_(String prompt) {
        return GenerationRequest.builder(prompt).maxTokens(100_000).greedy().ignoreEos(true).build();
    }

    /** The worker processes of this JVM that run the named model. */
    static List<ProcessHandle> workersOf(String model) {
        String marker = "/workers/" + model + "-" + ProcessHandle.current().pid() + "-";
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .toList();
    }

    /** Reads the first token, waiting at most the bound. */
    static GenerationEvent.Token firstToken(dev.cerebrum.engine.Generation g, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            GenerationEvent e = g.poll(Duration.ofMillis(100));
            if (e != null) {
                return assertInstanceOf(GenerationEvent.Token.class, e);
            }
        }
        throw new AssertionError("no token within " + within);
    }
}
