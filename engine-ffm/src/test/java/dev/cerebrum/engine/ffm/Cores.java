package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.gguf.ModelShape.Architecture;
import dev.cerebrum.gguf.testing.TestModels;

import java.nio.file.Path;

/** Generation cores on the test models, for integration tests. */
final class Cores {

    private Cores() {
    }

    /** A core on the known-answer model of {@code architecture}. */
    static GenerationCore successor(Architecture architecture, int context, int slots, int prefillChunk) {
        return load(TestModels.successor(architecture), context, slots, prefillChunk);
    }

    static GenerationCore load(Path model, int context, int slots, int prefillChunk) {
        return GenerationCore.load(TestNatives.runtime(),
                new CoreConfig(model, context, slots, 1, 1, 512, 512, prefillChunk, false, true, 0));
    }

    /** A greedy request for {@code tokens} tokens at most. */
    static GenerationRequest.Builder greedy(String prompt, int tokens) {
        return GenerationRequest.builder(prompt).greedy().maxTokens(tokens);
    }

    /** Runs one generation to its end. */
    static Collector run(GenerationCore core, GenerationRequest request) {
        Collector collector = new Collector();
        core.submit(request, collector);
        collector.finished();
        return collector;
    }
}
