package dev.cerebrum.bench;

import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.LoadedModel;

import java.time.Duration;

/** Path (b): generations through the engine SPI, whose model runs in a worker process. */
final class SpiPath implements PathRunner {
    private static final Duration EVENT_TIMEOUT = Duration.ofMinutes(30);

    private final LoadedModel model;

    SpiPath(LoadedModel model) {
        this.model = model;
    }

    LoadedModel model() {
        return model;
    }

    /** One greedy generation with ignore_eos, timed on this side, with the CPU this JVM (the engine's host) spent. */
    @Override
    public RunSample run(String prompt, int tokens) throws InterruptedException {
        long self = ProcessHandle.current().pid();
        double cpu = ProcFs.cpuMs(self);
        RunSample sample = generate(prompt, tokens);
        return sample.withHostCpuMs(ProcFs.cpuMs(self) - cpu, Double.NaN);
    }

    private RunSample generate(String prompt, int tokens) throws InterruptedException {
        GenerationRequest request = GenerationRequest.builder(prompt).greedy().maxTokens(tokens).ignoreEos(true).build();
        TokenClock clock = new TokenClock();
        try (Generation generation = model.generate(request)) {
            while (true) {
                GenerationEvent event = generation.poll(EVENT_TIMEOUT);
                if (event == null) {
                    throw new IllegalStateException("no event from the engine within " + EVENT_TIMEOUT.toMinutes() + " min");
                }
                if (event instanceof GenerationEvent.Token token) {
                    clock.tokens(token.completionTokens());
                } else if (event instanceof GenerationEvent.Finished f) {
                    if (f.error() != null) {
                        throw new IllegalStateException("the generation failed: " + f.error());
                    }
                    return clock.sample(f.promptTokens(), f.completionTokens(), f.reason().wireName(),
                            f.timings().queueMillis());
                }
            }
        }
    }

    /** The worker process: the benchmark's only child running the engine's worker. */
    @Override
    public ProcFs.Rss rss() {
        return ProcFs.child(ProcessHandle.current().pid(), ServerProcess.LLAMACPP_WORKER)
                .map(p -> ProcFs.rss(p.pid())).orElse(ProcFs.Rss.UNKNOWN);
    }

    @Override
    public long reportedRss() {
        return model.residentBytes();
    }

    @Override
    public void close() {
        model.close();
    }
}
