package dev.cerebrum.bench;

import dev.cerebrum.client.CerebrumClient;
import dev.cerebrum.client.InferenceRequest;
import dev.cerebrum.client.InferenceStream;
import dev.cerebrum.client.ModelStatus;
import dev.cerebrum.client.StreamEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Paths (c) and (e): HTTP streaming through the client to a model of the java-llama.cpp or the ffm engine, and
 * the measurements that only the server can give.
 */
final class HttpPath implements PathRunner {
    private final CerebrumClient client;
    private final String model;
    private final ServerProcess server;

    /** A path on a model the server has loaded. */
    HttpPath(CerebrumClient client, String model, ServerProcess server) {
        this.client = client;
        this.model = model;
        this.server = server;
    }

    /** One stream, with the CPU the server's JVM and this JVM (the client) spent on it. */
    @Override
    public RunSample run(String prompt, int tokens) {
        long self = ProcessHandle.current().pid();
        double clientCpu = ProcFs.cpuMs(self);
        double serverCpu = ProcFs.cpuMs(server.pid());
        RunSample sample = stream(client, model, prompt, tokens);
        double serverMs = ProcFs.cpuMs(server.pid()) - serverCpu;
        return sample.withHostCpuMs(ProcFs.cpuMs(self) - clientCpu + serverMs, serverMs);
    }

    /** The server's worker of this model. */
    @Override
    public ProcFs.Rss rss() {
        return server.worker(model).map(w -> ProcFs.rss(w.pid())).orElse(ProcFs.Rss.UNKNOWN);
    }

    @Override
    public long reportedRss() {
        return client.models().model(model).map(ModelStatus::rssBytes).orElse(-1L);
    }

    @Override
    public long estimate() {
        return client.models().model(model).map(ModelStatus::memoryEstimateBytes).orElse(-1L);
    }

    /** Unloads the model on the server. */
    @Override
    public void close() {
        client.unload(model);
    }

    /** One greedy stream past end of sequence (ignore_eos, as the raw paths), timed by its consumer. */
    static RunSample stream(CerebrumClient client, String model, String prompt, int tokens) {
        InferenceRequest request = InferenceRequest.builder(model, prompt).greedy().maxTokens(tokens).ignoreEos(true)
                .build();
        TokenClock clock = new TokenClock();
        try (InferenceStream stream = client.stream(request)) {
            while (stream.hasNext()) {
                StreamEvent event = stream.next();
                switch (event) {
                    case StreamEvent.Token t -> clock.tokens(t.totalTokens());
                    case StreamEvent.Done d -> {
                        return clock.sample(d.promptTokens(), d.completionTokens() >= 0 ? d.completionTokens()
                                : d.totalTokens(), d.finishReason().name().toLowerCase(java.util.Locale.ROOT), d.timings().queueMillis());
                    }
                    case StreamEvent.Error e -> throw new IllegalStateException("stream error: " + e.message());
                }
            }
        }
        throw new IllegalStateException("the stream ended without a done event");
    }

    /**
     * Streams started at once.
     *
     * @param aggregateTps completion tokens of all over the time until the last ended; NaN when one failed
     * @param samples      each stream that finished
     * @param failed       streams that failed
     * @param error        the first failure, or null
     */
    record Burst(double aggregateTps, List<RunSample> samples, int failed, String error) {
    }

    /** One stream per prompt, all started at once. */
    static Burst concurrent(CerebrumClient client, String model, List<String> prompts, int tokens)
            throws InterruptedException {
        List<RunSample> samples = new ArrayList<>();
        int failed = 0;
        String firstError = null;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RunSample>> futures = new ArrayList<>();
            for (String prompt : prompts) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return stream(client, model, prompt, tokens);
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            long completion = 0;
            for (Future<RunSample> f : futures) {
                try {
                    RunSample s = f.get(30, TimeUnit.MINUTES);
                    samples.add(s);
                    completion += s.completionTokens();
                } catch (ExecutionException | TimeoutException e) {
                    failed++;
                    if (firstError == null) {
                        firstError = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e);
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Burst(failed == 0 ? completion / seconds : Double.NaN, samples, failed, firstError);
        }
    }
}
