package dev.cerebrum.bench;

import dev.cerebrum.client.CerebrumClient;
import dev.cerebrum.client.RetryPolicy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The peer comparison: the ffm engine over HTTP and llama-server side by side on one model, every workload sent
 * to both in turn (the order alternating each repetition), so that other work on the machine slows both alike.
 */
final class PeerBench {
    static final String MODEL = "peer";
    /** The raw loop's name in the report. */
    static final String RAW_LANE = "raw loop (d)";
    /** The raw loop on the prebuilt natives, when the engine runs on another build. */
    static final String RAW_PREBUILT_LANE = "raw loop (d), prebuilt natives";
    /** Our server's default batch size, which the raw loop uses too. */
    private static final int OUR_BATCH = 512;
    private static final int WARMUP_LETTERS = 32;
    /**
     * Warm-up runs per server and their tokens: enough generated tokens for the JVMs (our server's, its worker's)
     * to compile their per-token paths before anything is timed; llama-server gets the same.
     */
    static final int WARMUP_RUNS = 3;
    static final int WARMUP_TOKENS = 256;
    /** Short requests (the latency probe's shape) per server in the warm-up: the per-request paths compile too. */
    static final int WARMUP_SHORT_REQUESTS = 100;
    /** Bursts per concurrency level and server in the warm-up: so do the paths of concurrent streams. */
    static final int WARMUP_BURSTS = 2;
    /**
     * One-token requests per server at the end of the warm-up, a slot's worth at a time. A request's own path (HTTP,
     * routing, admission, tokenising, the first event) runs once per request, and HotSpot compiles such code fully
     * only after some thousands of calls: measured with one-clock timestamps, our server's part of a probe's time to
     * first token was 1.9 ms after 400 requests, 1.1 ms after 2,500 and 0.8 ms after 6,000. Without these the probe
     * measures a server just started, not the one that runs for days.
     */
    static final int WARMUP_REQUEST_PATHS = 5000;

    private final PeerOptions o;
    private final PrintStream log;
    private final List<String> notes = new ArrayList<>();
    /** The next prompt variant: each prompt of a run starts with its own two letters, so no cache shortens it. */
    private int nextVariant;

    PeerBench(PeerOptions options, PrintStream log) {
        this.o = options;
        this.log = log;
    }

    /** One server (or the raw loop) under measurement and what it has given so far. */
    private static final class Lane {
        final String name;
        final PeerClient client;
        /** The raw loop instead of a server, or null. */
        final RawReference raw;
        final List<RunSample> single = new ArrayList<>();
        final List<PeerFigures.Probe> probes = new ArrayList<>();
        final List<ConcurrencyLevel> levels = new ArrayList<>();
        final List<PeerFigures.Interference> longPrompt = new ArrayList<>();
        final List<PeerFigures.Repeat> repeats = new ArrayList<>();
        String error;

        Lane(PeerClient client) {
            this.name = client.protocol().label();
            this.client = client;
            this.raw = null;
        }

        Lane(String name, RawReference raw) {
            this.name = name;
            this.client = null;
            this.raw = raw;
        }

        String name() {
            return name;
        }

        /** One stream of {@code tokens} tokens after {@code prompt}, timed by its consumer. */
        RunSample sample(String prompt, int tokens) throws IOException, InterruptedException {
            return raw != null ? raw.run(prompt, tokens) : client.stream(prompt, tokens).sample();
        }

        /** One run of the latency probe: one token after {@code prompt}. */
        PeerFigures.Probe probe(String prompt) throws IOException, InterruptedException {
            if (raw != null) {
                return PeerFigures.Probe.unreported(raw.run(prompt, 1));
            }
            PeerClient.Run run = client.stream(prompt, 1);
            return new PeerFigures.Probe(run.sample(), run.cachedTokens(), run.serverPromptMs());
        }

        /** Stops the raw loop's JVM or closes the client. */
        void close() {
            if (raw != null) {
                raw.close();
            } else {
                client.close();
            }
        }

        PeerFigures figures() {
            return new PeerFigures(name(), single, probes, levels, longPrompt, repeats, error);
        }
    }

    /** A measurement of one lane. */
    private interface Step {
        void run(Lane lane) throws Exception;
    }

    /** Runs the comparison and writes the report; 0 when both servers ran every workload, 1 otherwise. */
    int run() throws IOException, InterruptedException {
        long start = System.nanoTime();
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Machine machine = Machine.current();
        Path out = o.outDir().toAbsolutePath().normalize();
        Path runDir = out.resolve("peer-run");
        Files.createDirectories(runDir);
        log.println("Cerebrum peer comparison: " + optionsLine(o));
        log.println("Machine: " + machine.cpuModel() + ", " + machine.cpus() + " processors, load average "
                + machine.loadAverage() + "; output in " + out);
        if (o.threads() > machine.cpus()) {
            notes.add("More threads (" + o.threads() + ") than processors (" + machine.cpus() + ") were asked for.");
        }
        ModelFile model = o.modelGiven() ? ModelFile.given(o.model())
                : ModelFile.ensure(o.model(), PeerOptions.MODEL_SHAPE, describe(), log);
        log.println("Model: " + model.path() + " (" + ReportRenderer.mb(model.bytes()) + ")");

        LlamaServer.Located located = LlamaServer.locate(o.llamaServer(), runDir, log);
        String skipped = located.skipReason();
        if (skipped != null) {
            log.println("llama-server is skipped: " + skipped);
        }
        String version = located.binary() != null ? LlamaServer.version(located.binary()) : null;
        String build = located.binary() != null ? LlamaServer.buildInfo(located.binary()) : null;
        PeerNatives natives = PeerNatives.choose(o.nativesChoice(), o.natives(), located.binary());
        log.println("The ffm engine runs on " + natives.describe());
        if (natives.fallback() != null) {
            notes.add("The ffm engine did not run on the same build as llama-server: " + natives.fallback() + ".");
        }

        String apiKey = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
        ServerProcess server = null;
        LlamaServer peer = null;
        List<Lane> lanes = new ArrayList<>();
        CpuMeter.Snapshot measureStart = null;
        CpuMeter.Snapshot measureEnd = null;
        String peerCommand = null;
        Lane ours = null;
        Lane theirs = null;
        Lane raw = null;
        String rawError = null;
        Lane rawPrebuilt = null;
        try {
            server = startOurs(runDir, model.path(), apiKey, natives.folder());
            ours = new Lane(new PeerClient(PeerProtocol.CEREBRUM, URI.create("http://127.0.0.1:" + server.port()),
                    apiKey, MODEL));
            lanes.add(ours);
            try {
                RawReference loop = RawReference.start(new RawReference.Spec(model.path(), o.context() / o.slots(),
                        o.threads(), OUR_BATCH, 1, false, natives.folder()), runDir.resolve("raw"));
                raw = new Lane(RAW_LANE, loop);
                lanes.add(raw);
                log.println("Raw loop (d) loaded in " + Targets.fmt(loop.loadMs(), 0) + " ms (ReferenceLoop in a child"
                        + " JVM, " + o.threads() + " threads, one sequence of " + o.context() / o.slots() + ")");
            } catch (IOException e) {
                rawError = "could not start: " + e.getMessage();
                log.println("The raw loop (d) is skipped: " + rawError);
            }
            if (natives.kind() != PeerNatives.Kind.PREBUILT && PeerNatives.sharedBuild(o.natives())) {
                // The same loop on the prebuilt natives tells what the build alone changes.
                try {
                    rawPrebuilt = new Lane(RAW_PREBUILT_LANE, RawReference.start(new RawReference.Spec(model.path(),
                            o.context() / o.slots(), o.threads(), OUR_BATCH, 1, false, o.natives()),
                            runDir.resolve("raw-prebuilt")));
                    lanes.add(rawPrebuilt);
                } catch (IOException e) {
                    notes.add("The raw loop on the prebuilt natives could not start: " + e.getMessage());
                }
            }
            if (located.binary() != null) {
                try {
                    peer = LlamaServer.start(located.binary(), model.path(), o.threads(), o.slots(), o.context(),
                            runDir.resolve("llama-server"));
                    peerCommand = peer.commandLine();
                    log.println("llama-server pid " + peer.pid() + ": " + peerCommand);
                    theirs = new Lane(new PeerClient(PeerProtocol.LLAMA_SERVER, peer.base(), null, MODEL));
                    lanes.add(theirs);
                } catch (IOException e) {
                    skipped = e.getMessage();
                    notes.add("llama-server could not be started: " + skipped);
                }
            }
            measureStart = CpuMeter.now();
            measure(lanes);
            measureEnd = CpuMeter.now();
        } finally {
            for (Lane lane : lanes) {
                lane.close();
            }
            if (peer != null) {
                peer.close();
            }
            if (server != null) {
                server.close();
            }
        }
        CpuMeter.Use use = measureStart != null && measureEnd != null ? CpuMeter.between(measureStart, measureEnd)
                : CpuMeter.Use.UNKNOWN;
        List<Lane> servers = lanes.stream().filter(l -> l.raw == null).toList();
        checkCounts(servers, raw);
        PeerFigures rawFigures = raw != null ? raw.figures()
                : new PeerFigures(RAW_LANE, List.of(), List.of(), List.of(), List.of(), List.of(), rawError);
        PeerReport report = new PeerReport(startedAt, machine, o, model, ours.figures(),
                theirs != null ? theirs.figures() : null, rawFigures,
                rawPrebuilt != null ? rawPrebuilt.figures() : null, natives, skipped, version, build, peerCommand,
                use.otherCores(), use.stealCores(), (System.nanoTime() - start) / 1e9, ProcFs.loadAverage(), notes);
        write(out, report);
        return servers.stream().anyMatch(l -> l.error != null) ? 1 : 0;
    }

    private ServerProcess startOurs(Path runDir, Path model, String apiKey, Path natives)
            throws IOException, InterruptedException {
        Path dir = runDir.resolve("server");
        Files.createDirectories(dir);
        String path = "\"" + model.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        String yaml = "models:\n  " + MODEL + ":\n    path: " + path + "\n    ctx_size: " + o.context()
                + "\n    threads: " + o.threads() + "\n    parallel: " + o.slots() + "\n    engine: " + o.engine()
                + "\n";
        Path registry = dir.resolve("models.yaml");
        Files.writeString(registry, yaml, StandardCharsets.UTF_8);
        Map<String, String> settings = new LinkedHashMap<>(ServerProcess.settings(dir, registry, apiKey, natives));
        // llama-server beside it is other load by design: its CPU must not make the server refuse work (503).
        settings.put("MAX_CPU_PERCENT", "100");
        ServerProcess server = ServerProcess.start(dir, settings);
        try (CerebrumClient client = CerebrumClient.builder().endpoint("http://127.0.0.1:" + server.port()).apiKey(apiKey)
                .readTimeout(Duration.ofMinutes(10)).retryPolicy(RetryPolicy.none()).build()) {
            client.health();
            double seconds = client.load(MODEL).loadTimeSeconds();
            log.println("Cerebrum server pid " + server.pid() + " on port " + server.port() + ": model loaded in "
                    + Targets.fmt(seconds, 1) + " s (" + o.engine() + " engine, " + o.threads() + " threads, "
                    + o.slots() + " slots, context " + o.context() + ")");
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw new IOException("the Cerebrum server could not load the model: " + e.getMessage(), e);
        }
    }

    private void measure(List<Lane> all) throws InterruptedException {
        int warmupTokens = o.quick() ? PeerOptions.FEW_TOKENS : WARMUP_TOKENS;
        for (int run = 0; run < (o.quick() ? 1 : WARMUP_RUNS); run++) {
            String warmup = Prompts.spaced(WARMUP_LETTERS, variant());
            each(all, run, "warm-up", lane -> lane.sample(warmup, warmupTokens));
        }
        if (!o.quick()) {
            for (int i = 0; i < WARMUP_SHORT_REQUESTS; i++) {
                String warmup = prompt(Options.PROBE_PROMPT_TOKENS);
                each(all, i, "warm-up", lane -> lane.sample(warmup, 1));
            }
            List<Lane> servers = all.stream().filter(l -> l.raw == null).toList();
            for (int streams : o.concurrency()) {
                for (int burst = 0; burst < WARMUP_BURSTS; burst++) {
                    List<String> prompts = new ArrayList<>();
                    for (int s = 0; s < streams; s++) {
                        prompts.add(prompt(o.streamPrompt()));
                    }
                    each(servers, burst, "warm-up", lane -> lane.client.concurrent(prompts, o.tokens()));
                }
            }
            for (int burst = 0; burst < WARMUP_REQUEST_PATHS / o.slots(); burst++) {
                List<String> prompts = new ArrayList<>();
                for (int s = 0; s < o.slots(); s++) {
                    prompts.add(PeerPrompts.digits(burst * o.slots() + s));
                }
                each(servers, burst, "warm-up", lane -> lane.client.concurrent(prompts, 1));
            }
        }

        log.println("Single stream: " + o.repetitions() + " runs, ~" + o.promptTokens() + "-token prompt, " + o.tokens()
                + " tokens");
        for (int rep = 0; rep < o.repetitions(); rep++) {
            String prompt = prompt(o.promptTokens());
            each(all, rep, "single stream", lane -> lane.single.add(lane.sample(prompt, o.tokens())));
        }
        log.println("Latency probe: " + o.probeRuns() + " runs, " + Options.PROBE_PROMPT_TOKENS + "-token prompt, 1 token");
        for (int i = 0; i < o.probeRuns(); i++) {
            String prompt = prompt(Options.PROBE_PROMPT_TOKENS);
            each(all, i, "latency probe", lane -> lane.probes.add(lane.probe(prompt)));
        }
        // The raw loop is measured on one stream only: its JVM is ended before the servers' other workloads.
        all.stream().filter(l -> l.raw != null).forEach(Lane::close);
        List<Lane> lanes = all.stream().filter(l -> l.raw == null).toList();

        for (int streams : o.concurrency()) {
            log.println("Concurrency: " + streams + " streams, " + o.repetitions() + " bursts, ~" + o.streamPrompt()
                    + "-token prompts, " + o.tokens() + " tokens each");
            Map<Lane, List<Double>> aggregate = new LinkedHashMap<>();
            Map<Lane, List<RunSample>> samples = new LinkedHashMap<>();
            Map<Lane, int[]> failed = new LinkedHashMap<>();
            Map<Lane, String> errors = new LinkedHashMap<>();
            for (int rep = 0; rep < o.repetitions(); rep++) {
                List<String> prompts = new ArrayList<>();
                for (int s = 0; s < streams; s++) {
                    prompts.add(prompt(o.streamPrompt()));
                }
                each(lanes, rep, streams + " streams", lane -> {
                    HttpPath.Burst b = lane.client.concurrent(prompts, o.tokens());
                    aggregate.computeIfAbsent(lane, k -> new ArrayList<>()).add(b.aggregateTps());
                    samples.computeIfAbsent(lane, k -> new ArrayList<>()).addAll(b.samples());
                    failed.computeIfAbsent(lane, k -> new int[1])[0] += b.failed();
                    if (b.error() != null) {
                        errors.putIfAbsent(lane, b.error());
                    }
                });
            }
            for (Lane lane : lanes) {
                if (aggregate.containsKey(lane)) {
                    ConcurrencyLevel level = new ConcurrencyLevel(streams, aggregate.get(lane), samples.get(lane),
                            failed.get(lane)[0], errors.get(lane));
                    lane.levels.add(level);
                    log.println("  " + lane.name() + ": aggregate " + ReportRenderer.range(level.aggregate(), 1)
                            + " tok/s, TTFT p50 " + Targets.fmt(level.ttftMs().median(), 0) + " ms, p99 "
                            + Targets.fmt(level.ttftMs().p99(), 0) + " ms");
                }
            }
        }

        log.println("Long prompt: a ~" + PeerOptions.SHORT_PROMPT + "-token request " + PeerOptions.SHORT_DELAY_MS
                + " ms after a ~" + o.longPrompt() + "-token one, " + o.repetitions() + " times");
        for (int rep = 0; rep < o.repetitions(); rep++) {
            String longText = prompt(o.longPrompt());
            String shortText = prompt(PeerOptions.SHORT_PROMPT);
            each(lanes, rep, "long prompt", lane -> lane.longPrompt.add(interference(lane.client, longText, shortText)));
        }

        log.println("Repeated prompt: ~" + o.repeatPrompt() + " tokens, then the same with its last line changed, "
                + o.repetitions() + " times");
        for (int rep = 0; rep < o.repetitions(); rep++) {
            List<String> pair = PeerPrompts.repeated(o.repeatPrompt(), variant(), variant(), variant());
            each(lanes, rep, "repeated prompt", lane -> {
                PeerClient.Run first = lane.client.stream(pair.get(0), PeerOptions.FEW_TOKENS);
                PeerClient.Run second = lane.client.stream(pair.get(1), PeerOptions.FEW_TOKENS);
                lane.repeats.add(new PeerFigures.Repeat(first.sample().ttftMs(), second.sample().ttftMs(),
                        second.sample().promptTokens(), second.cachedTokens()));
            });
        }
        for (Lane lane : lanes) {
            PeerFigures f = lane.figures();
            log.println("  " + lane.name() + ": short request TTFT " + ReportRenderer.range(f.shortTtftMs(), 0)
                    + " ms; repeated prompt TTFT " + Targets.fmt(f.repeatFirstMs().median(), 0) + " → "
                    + Targets.fmt(f.repeatSecondMs().median(), 0) + " ms");
        }
    }

    /** The long request, and the short one {@link PeerOptions#SHORT_DELAY_MS} later, each read to its end. */
    private static PeerFigures.Interference interference(PeerClient client, String longText, String shortText)
            throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<PeerClient.Run> longRun = pool.submit(() -> client.stream(longText, PeerOptions.FEW_TOKENS));
            Thread.sleep(PeerOptions.SHORT_DELAY_MS);
            PeerClient.Run shortRun = client.stream(shortText, PeerOptions.FEW_TOKENS);
            PeerClient.Run l;
            try {
                l = longRun.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            return new PeerFigures.Interference(shortRun.sample().ttftMs(), l.sample().ttftMs(),
                    shortRun.firstTokenNanos() < l.firstTokenNanos());
        }
    }

    /** Runs {@code step} on each lane still without an error, the order alternating with {@code rep}. */
    private void each(List<Lane> lanes, int rep, String what, Step step) throws InterruptedException {
        for (int k = 0; k < lanes.size(); k++) {
            Lane lane = lanes.get((rep + k) % lanes.size());
            if (lane.error != null) {
                continue;
            }
            try {
                step.run(lane);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                lane.error = what + ": " + e.getMessage();
                log.println("  " + lane.name() + " failed in " + lane.error);
            }
        }
    }

    /** Says when the servers (and the raw loop) counted prompts or generated tokens differently. */
    private void checkCounts(List<Lane> lanes, Lane raw) {
        PeerFigures a = lanes.get(0).figures();
        if (lanes.size() > 1 && a.singlePromptTokens() != lanes.get(1).figures().singlePromptTokens()) {
            notes.add("The servers counted the single-stream prompt differently: " + a.singlePromptTokens() + " and "
                    + lanes.get(1).figures().singlePromptTokens() + " tokens.");
        }
        if (raw != null && !raw.single.isEmpty() && raw.figures().singlePromptTokens() != a.singlePromptTokens()) {
            notes.add("The raw loop counted the single-stream prompt as " + raw.figures().singlePromptTokens()
                    + " tokens, our server as " + a.singlePromptTokens() + ".");
        }
        if (raw != null && raw.single.stream().anyMatch(s -> s.completionTokens() != o.tokens())) {
            notes.add("The raw loop did not generate exactly " + o.tokens() + " tokens in every single-stream run.");
        }
        for (Lane lane : lanes) {
            if (lane.client != null && lane.client.retries() > 0) {
                notes.add(lane.name() + ": " + lane.client.retries() + " requests were sent again on a new connection"
                        + " after the first attempt failed before any answer (a kept-alive connection the server had"
                        + " closed); each was timed from its second attempt.");
            }
            List<RunSample> all = new ArrayList<>(lane.single);
            lane.levels.forEach(l -> all.addAll(l.samples()));
            long shortRuns = all.stream().filter(s -> s.completionTokens() != o.tokens()).count();
            if (shortRuns > 0) {
                notes.add(lane.name() + ": " + shortRuns + " streams did not generate exactly " + o.tokens() + " tokens.");
            }
        }
    }

    private void write(Path out, PeerReport report) throws IOException {
        String markdown = PeerRenderer.markdown(report);
        Path file = out.resolve("peer-report.md");
        Files.writeString(file, markdown, StandardCharsets.UTF_8);
        Path chart = out.resolve("peer-concurrency.png");
        Chart.writePeer(chart, report.ours(), report.peer(), o.slots() + " slots, " + o.threads() + " threads, "
                + o.tokens() + " tokens per stream; " + report.machine().cpus() + " processors");
        log.println();
        log.println(markdown);
        log.println("Report: " + file + ", chart: " + chart);
    }

    private String prompt(int tokens) {
        return PeerPrompts.ofTokens(tokens, variant());
    }

    private int variant() {
        return nextVariant++ % Prompts.DISTINCT_VARIANTS;
    }

    private static String describe() {
        var s = PeerOptions.MODEL_SHAPE;
        return "llama shape (" + s.blockCount() + " blocks, " + s.embeddingLength() + " wide, n_ff "
                + s.feedForwardLength() + ", " + s.headCount() + " heads, " + s.headCountKv() + " KV heads, "
                + s.vocabSize() + " tokens), random Q4_0 weights";
    }

    static String optionsLine(PeerOptions o) {
        return "threads " + o.threads() + ", slots " + o.slots() + ", context " + o.context() + ", tokens " + o.tokens()
                + ", reps " + o.repetitions() + ", prompt " + o.promptTokens() + ", concurrency " + o.concurrency()
                + ", stream prompt " + o.streamPrompt() + ", long prompt " + o.longPrompt() + ", repeated prompt "
                + o.repeatPrompt() + ", probe runs " + o.probeRuns() + (o.quick() ? " (quick)" : "");
    }
}
