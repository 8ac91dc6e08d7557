package dev.cerebrum.bench;

import dev.cerebrum.client.CerebrumClient;
import dev.cerebrum.client.LoadResult;
import dev.cerebrum.client.ModelStatus;
import dev.cerebrum.client.RetryPolicy;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.ffm.FfmEngineProvider;
import dev.cerebrum.engine.spi.EngineOptions;

import java.io.IOException;
import java.io.PrintStream;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/** One benchmark run: every phase in order, then the report. */
final class Bench {
    static final String CONCURRENCY_MODEL = "bench-c";
    private static final int WARMUP_TOKENS = 8;
    private static final int COLD_START_TOKENS = 4;
    private static final int BATCH_SIZE = ModelSpec.DEFAULT_BATCH_SIZE;
    /** Prompt variants: 0..reps-1 for the comparison, then the concurrency streams, the cold starts at the end. */
    private static final int FIRST_CONCURRENCY_VARIANT = 26;
    /** The latency probe's prompts: after the concurrency streams' (at most about 400 of them). */
    private static final int FIRST_PROBE_VARIANT = 450;

    private final Options o;
    private final PrintStream log;
    private final List<Phase> phases = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<WorkerMemory> holders = new ArrayList<>();
    private final int maxThreads;
    private CpuMeter.Snapshot phaseStart;
    private Plan plan;
    private Prompts.Shape concurrencyShape;
    private int concurrencyPromptTokens = -1;
    private PathResult trapCheck;
    private boolean failed;
    /** The server's client, for {@link #awaitServerCalm()}; null without a server. */
    private CerebrumClient serverClient;
    private long calmWaitMillis;

    Bench(Options options, PrintStream log) {
        this.o = options;
        this.log = log;
        this.maxThreads = options.threads().stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    /** Runs every phase and writes the report; 0 when all ran, 1 when one failed. */
    int run() throws IOException, InterruptedException {
        long start = System.nanoTime();
        String startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Machine machine = Machine.current();
        Path out = o.outDir().toAbsolutePath().normalize();
        Path runDir = out.resolve("run");
        Files.createDirectories(runDir);
        log.println("Cerebrum benchmark: " + ReportRenderer.optionsLine(o));
        log.println("Machine: " + machine.cpuModel() + ", " + machine.cpus() + " processors, load average "
                + machine.loadAverage() + "; output in " + out);
        if (Math.max(maxThreads, o.concurrencyThreads()) > machine.cpus()) {
            notes.add("More threads than processors (" + machine.cpus() + ") were asked for: those figures measure"
                    + " oversubscription.");
        }

        phase();
        ModelFile model = o.modelGiven() ? ModelFile.given(o.model()) : ModelFile.ensure(o.model(), log);
        log.println("Model: " + model.path() + " (" + ReportRenderer.mb(model.bytes())
                + (model.generated() ? ", written)" : ", reused)"));
        end("model file");

        phase();
        String apiKey = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
        ServerProcess server = null;
        CerebrumClient client = null;
        long serverIdle = -1;
        try {
            server = ServerProcess.start(runDir.resolve("server"), serverSettings(runDir, model.path(), apiKey));
            client = CerebrumClient.builder().endpoint("http://127.0.0.1:" + server.port()).apiKey(apiKey)
                    .readTimeout(Duration.ofMinutes(30)).streamIdleTimeout(Duration.ofMinutes(30))
                    .retryPolicy(RetryPolicy.none()).concurrencyLimit(1024, Duration.ofMinutes(1)).build();
            client.health();
            this.serverClient = client;
            checkRegistry(client);
            // Let start-up work (class loading, the first CPU samples) settle before reading the idle figure.
            Thread.sleep(2000);
            client.health();
            serverIdle = server.rss().rss();
            log.println("Server pid " + server.pid() + " on port " + server.port() + ", idle RSS "
                    + ReportRenderer.mb(serverIdle));
        } catch (IOException | RuntimeException e) {
            notes.add("The server could not be started: " + e.getMessage());
            failed = true;
            if (client != null) {
                client.close();
                client = null;
                serverClient = null;
            }
            if (server != null) {
                server.close();
                server = null;
            }
        }
        end("server start");

        List<Comparison> comparisons = new ArrayList<>();
        List<ConcurrencyLevel> concurrency = new ArrayList<>();
        MemoryResult memory = new MemoryResult(serverIdle, holders, -1, null, -1, -1, -1);
        ColdStart cold = ColdStart.NONE;
        try {
            try (InferenceEngine engine = InferenceEngines.create("llamacpp",
                    EngineOptions.of(runDir.resolve("engine")))) {
                for (int threads : o.threads()) {
                    phase();
                    comparisons.add(compare(engine, client, server, model, runDir, threads));
                    end("single stream, " + threads + "t");
                }
            }
            if (client != null) {
                phase();
                long availableBefore = ProcFs.memAvailable();
                concurrency = concurrency(client, model.path(), runDir);
                end("concurrency");

                phase();
                memory = memoryAfterConcurrency(client, server, serverIdle, availableBefore, model.bytes());
                end("memory and unload");

                phase();
                cold = coldStarts(client);
                failed |= cold.error() != null;
                end("cold start");
            }
        } finally {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.close();
            }
        }

        double total = since(start) / 1000;
        if (calmWaitMillis > 0) {
            notes.add(String.format(Locale.ROOT, "The raw and SPI paths and the concurrency reference run in other"
                    + " processes, which the server's CPU rule counts as other load: before each server run the"
                    + " benchmark waited until /health said healthy, %.1f s in all (not part of any figure).",
                    calmWaitMillis / 1000.0));
        }
        noteInterference(machine);
        BenchReport report = new BenchReport(startedAt, machine, o, model, plan.promptTokens(), concurrencyPromptTokens,
                comparisons, trapCheck, concurrency, memory, cold, phases, total, ProcFs.loadAverage(), notes);
        write(out, report);
        return failed ? 1 : 0;
    }

    /** A path of the comparison, loaded or not, with its runs. */
    private static final class Lane {
        final String path;
        final String label;
        PathRunner runner;
        double loadMs = Double.NaN;
        final List<RunSample> runs = new ArrayList<>();
        final List<RunSample> probes = new ArrayList<>();
        String error;

        Lane(String path, String label) {
            this.path = path;
            this.label = label;
        }

        boolean ok() {
            return runner != null && error == null;
        }

        PathResult result(int threads, long rss) {
            return new PathResult(path, threads, loadMs, error != null ? -1 : rss, runs, error, probes);
        }
    }

    /**
     * The paths at one thread count. All stay loaded at once and their runs are interleaved, the order rotating
     * each repetition, so that other work on the machine slows every path alike.
     */
    private Comparison compare(InferenceEngine engine, CerebrumClient client, ServerProcess server, ModelFile model,
                               Path runDir, int threads) throws InterruptedException {
        ModelSpec spec = new ModelSpec("bench-t" + threads, model.path(), o.comparisonContext(), threads, threads, 1,
                BATCH_SIZE, 0);
        String ffmModel = "ffm-t" + threads;
        long estimate = engine.inspect(spec).estimate().totalBytes();
        long ffmEstimate = new FfmEngineProvider().inspect(spec).estimate().totalBytes();
        Lane spi = new Lane("spi", "(b) SPI worker, " + threads + "t");
        Lane raw = new Lane("raw", "(a) raw JVM, " + threads + "t");
        Lane http = new Lane("http", "(c) server's worker, " + threads + "t");
        Lane ffmRaw = new Lane(RawReference.FFM_PATH, "(d) raw FFM JVM, " + threads + "t");
        Lane ffmHttp = new Lane("ffm-http", "(e) server's ffm worker, " + threads + "t");
        List<Lane> lanes = new ArrayList<>(List.of(raw, spi, http, ffmRaw, ffmHttp));
        Lane trap = null;
        if (threads == maxThreads && threads >= 2) {
            trap = new Lane(RawReference.TRAP_PATH, "(a′) raw JVM, native warm-up, " + threads + "t");
            lanes.add(trap);
        }
        log.println("Single stream, " + threads + (threads == 1 ? " thread" : " threads") + ": loading "
                + lanes.size() + " copies of the model ...");
        try {
            long t = System.nanoTime();
            try {
                LoadedModel loaded = engine.load(spec);
                spi.runner = new SpiPath(loaded);
                spi.loadMs = since(t);
                if (plan == null) {
                    plan = calibrate(loaded);
                }
            } catch (RuntimeException e) {
                spi.error = "load failed: " + e.getMessage();
            }
            if (plan == null) {
                plan = uncalibrated();
            }
            open(raw, () -> RawReference.start(new RawReference.Spec(model.path(), spec.contextSize(), threads,
                    BATCH_SIZE, 1, false), runDir.resolve("raw")));
            if (trap != null) {
                open(trap, () -> RawReference.start(new RawReference.Spec(model.path(), spec.contextSize(), threads,
                        BATCH_SIZE, 1, true), runDir.resolve("raw")));
            }
            open(ffmRaw, () -> RawReference.start(new RawReference.Spec(model.path(), spec.contextSize(), threads,
                    BATCH_SIZE, 1, false, o.natives()), runDir.resolve("raw")));
            if (client == null) {
                http.error = "no server";
                ffmHttp.error = "no server";
            } else {
                open(http, () -> {
                    LoadResult loaded = client.load(spec.name());
                    http.loadMs = loaded.loadTimeSeconds() * 1000;
                    return new HttpPath(client, spec.name(), server);
                });
                open(ffmHttp, () -> {
                    LoadResult loaded = client.load(ffmModel);
                    ffmHttp.loadMs = loaded.loadTimeSeconds() * 1000;
                    return new HttpPath(client, ffmModel, server);
                });
            }

            for (Lane lane : lanes) {
                runOnce(lane, plan.warmupPrompt(), plan.warmupTokens(), false);
            }
            for (int rep = 0; rep < o.repetitions(); rep++) {
                log.println("  repetition " + (rep + 1) + " of " + o.repetitions());
                for (int k = 0; k < lanes.size(); k++) {
                    runOnce(lanes.get((rep + k) % lanes.size()), plan.prompts().get(rep), plan.tokens(), true);
                }
            }

            if (o.probeRuns() > 0) {
                log.println("  latency probe: " + o.probeRuns() + " runs per path, " + Options.PROBE_PROMPT_TOKENS
                        + "-token prompt, 1 token");
                List<Lane> probed = List.of(raw, spi, http, ffmRaw, ffmHttp);
                for (int i = 0; i < o.probeRuns(); i++) {
                    String prompt = Prompts.spaced((Options.PROBE_PROMPT_TOKENS - 1) / 2, FIRST_PROBE_VARIANT + i);
                    for (int k = 0; k < probed.size(); k++) {
                        Lane lane = probed.get((i + k) % probed.size());
                        if (lane.ok()) {
                            try {
                                if (lane == http) {
                                    awaitServerCalm();
                                }
                                lane.probes.add(lane.runner.run(prompt, 1));
                            } catch (InterruptedException e) {
                                throw e;
                            } catch (Exception e) {
                                lane.error = "latency probe failed: " + e.getMessage();
                            }
                        }
                    }
                }
            }

            Map<Lane, Long> rss = new LinkedHashMap<>();
            for (Lane lane : lanes) {
                if (lane.runner == null) {
                    continue;
                }
                ProcFs.Rss r = lane.runner.rss();
                rss.put(lane, r.rss());
                long laneEstimate = lane == http || lane == ffmHttp ? lane.runner.estimate()
                        : lane == ffmRaw ? ffmEstimate : estimate;
                holders.add(new WorkerMemory(lane.label, spec.contextSize(), 1, r.rss(), r.anon(), r.file(),
                        lane.runner.reportedRss(), laneEstimate, model.bytes()));
            }
            for (Lane lane : lanes) {
                log.println("  " + ReportRenderer.pathName(lane.path) + ": "
                        + summaryLine(lane.result(threads, rss.getOrDefault(lane, -1L))));
                failed |= lane.error != null;
            }
            if (trap != null) {
                trapCheck = trap.result(threads, rss.getOrDefault(trap, -1L));
            }
            Comparison c = new Comparison(threads, raw.result(threads, rss.getOrDefault(raw, -1L)),
                    spi.result(threads, rss.getOrDefault(spi, -1L)), http.result(threads, rss.getOrDefault(http, -1L)),
                    ffmRaw.result(threads, rss.getOrDefault(ffmRaw, -1L)),
                    ffmHttp.result(threads, rss.getOrDefault(ffmHttp, -1L)));
            noteShortRuns(c.raw(), c.spi(), c.http(), c.ffmRaw(), c.ffmHttp());
            return c;
        } finally {
            for (Lane lane : lanes) {
                if (lane.runner != null) {
                    try {
                        lane.runner.close();
                    } catch (RuntimeException e) {
                        notes.add("Unloading " + lane.label + " failed: " + e.getMessage());
                    }
                }
            }
        }
    }

    /** Something that loads a path's model. */
    private interface Opener {
        PathRunner open() throws Exception;
    }

    private void open(Lane lane, Opener opener) throws InterruptedException {
        long t = System.nanoTime();
        try {
            lane.runner = opener.open();
            if (lane.runner instanceof RawReference r) {
                lane.loadMs = r.loadMs();
            } else if (Double.isNaN(lane.loadMs)) {
                lane.loadMs = since(t);
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            lane.error = "load failed: " + e.getMessage();
        }
    }

    private void runOnce(Lane lane, String prompt, int tokens, boolean measured) throws InterruptedException {
        if (!lane.ok()) {
            return;
        }
        try {
            if (lane.runner instanceof HttpPath) {
                awaitServerCalm();
            }
            RunSample s = lane.runner.run(prompt, tokens);
            if (measured) {
                lane.runs.add(s);
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            lane.error = (measured ? "run failed: " : "warm-up failed: ") + e.getMessage();
        }
    }

    /**
     * Each level through HTTP, on the default engine (ffm), and through the reference (de.kherud:llama with the same
     * slots and threads, in a child JVM: the old engine's library), their repetitions alternating so that other
     * work on the machine disturbs both alike.
     */
    private List<ConcurrencyLevel> concurrency(CerebrumClient client, Path model, Path runDir)
            throws InterruptedException {
        log.println("Concurrency " + o.concurrency() + " on " + o.slots() + " slots ...");
        List<ConcurrencyLevel> levels = new ArrayList<>();
        RawReference raw = null;
        try {
            client.load(CONCURRENCY_MODEL);
            awaitServerCalm();
            HttpPath.stream(client, CONCURRENCY_MODEL, Prompts.spaced(8, Prompts.DISTINCT_VARIANTS - 2), WARMUP_TOKENS);
            try {
                raw = RawReference.start(new RawReference.Spec(model, o.concurrencyContext(), o.concurrencyThreads(),
                        BATCH_SIZE, o.slots(), false), runDir.resolve("raw"));
                raw.run(Prompts.spaced(8, Prompts.DISTINCT_VARIANTS - 2), WARMUP_TOKENS);
            } catch (IOException e) {
                notes.add("The concurrency reference (de.kherud:llama in-process) failed: " + e.getMessage());
                if (raw != null) {
                    raw.close();
                    raw = null;
                }
            }
            int next = FIRST_CONCURRENCY_VARIANT;
            for (int streams : o.concurrency()) {
                List<Double> aggregate = new ArrayList<>();
                List<RunSample> samples = new ArrayList<>();
                List<Double> rawAggregate = new ArrayList<>();
                List<RunSample> rawSamples = new ArrayList<>();
                int failedStreams = 0;
                String error = null;
                for (int rep = 0; rep < o.repetitions(); rep++) {
                    List<String> prompts = new ArrayList<>();
                    for (int i = 0; i < streams; i++) {
                        prompts.add(concurrencyPrompt(next++));
                    }
                    for (int k = 0; k < 2; k++) {
                        if ((rep + k) % 2 == 0) {
                            awaitServerCalm();
                            HttpPath.Burst b = HttpPath.concurrent(client, CONCURRENCY_MODEL, prompts, o.tokens());
                            if (!Double.isNaN(b.aggregateTps())) {
                                aggregate.add(b.aggregateTps());
                            }
                            samples.addAll(b.samples());
                            failedStreams += b.failed();
                            error = error != null ? error : b.error();
                        } else if (raw != null) {
                            try {
                                RawReference.Burst b = raw.concurrent(prompts, o.tokens());
                                rawAggregate.add(b.aggregateTps());
                                rawSamples.addAll(b.samples());
                            } catch (IOException e) {
                                notes.add("The concurrency reference failed at " + streams + " streams: " + e.getMessage());
                                raw.close();
                                raw = null;
                            }
                        }
                    }
                }
                ConcurrencyLevel level = new ConcurrencyLevel(streams, aggregate, samples, failedStreams, error,
                        rawAggregate, rawSamples);
                levels.add(level);
                failed |= level.failedStreams() > 0;
                log.println("  " + streams + " streams: aggregate " + ReportRenderer.range(level.aggregate(), 2)
                        + " tok/s (reference " + ReportRenderer.range(level.rawAggregateSummary(), 2) + "), TTFT p50 "
                        + Targets.fmt(level.ttftMs().median(), 0) + " ms, p99 " + Targets.fmt(level.ttftMs().p99(), 0)
                        + " ms, queue p50 " + Targets.fmt(level.queueMs().median(), 0) + " ms");
            }
        } catch (RuntimeException e) {
            notes.add("Concurrency failed: " + e.getMessage());
            failed = true;
        } finally {
            if (raw != null) {
                raw.close();
            }
        }
        return levels;
    }

    private MemoryResult memoryAfterConcurrency(CerebrumClient client, ServerProcess server, long serverIdle,
                                                long availableBefore, long fileBytes) {
        long availableLoaded = ProcFs.memAvailable();
        Optional<ProcessHandle> worker = server.worker(CONCURRENCY_MODEL);
        try {
            ProcFs.Rss rss = worker.map(p -> ProcFs.rss(p.pid())).orElse(ProcFs.Rss.UNKNOWN);
            Optional<ModelStatus> status = client.models().model(CONCURRENCY_MODEL);
            holders.add(new WorkerMemory("(c) server's worker, " + o.slots() + " slots, " + o.concurrencyThreads() + "t",
                    o.concurrencyContext(), o.slots(), rss.rss(), rss.anon(), rss.file(),
                    status.map(ModelStatus::rssBytes).orElse(-1L), status.map(ModelStatus::memoryEstimateBytes).orElse(-1L),
                    fileBytes));
            client.unload(CONCURRENCY_MODEL);
            Boolean exited = worker.isEmpty() ? null : waitForExit(worker.get());
            // Give the server a moment after the unload's own work.
            Thread.sleep(1000);
            return new MemoryResult(serverIdle, holders, server.rss().rss(), exited, availableBefore, availableLoaded,
                    ProcFs.memAvailable());
        } catch (RuntimeException e) {
            notes.add("Memory after unload could not be measured: " + e.getMessage());
            return new MemoryResult(serverIdle, holders, -1, null, availableBefore, availableLoaded, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new MemoryResult(serverIdle, holders, -1, null, availableBefore, availableLoaded, -1);
        }
    }

    private static boolean waitForExit(ProcessHandle worker) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (worker.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return !worker.isAlive();
    }

    /** Each cold start: the model is unloaded, one stream loads it and waits for its first token. */
    private ColdStart coldStarts(CerebrumClient client) throws InterruptedException {
        List<Double> firstToken = new ArrayList<>();
        List<Double> loads = new ArrayList<>();
        try {
            for (int i = 0; i < o.coldStarts(); i++) {
                if (client.models().cachedModels().contains(CONCURRENCY_MODEL)) {
                    client.unload(CONCURRENCY_MODEL);
                }
                log.println("Cold start " + (i + 1) + " of " + o.coldStarts() + " ...");
                awaitServerCalm();
                RunSample s = HttpPath.stream(client, CONCURRENCY_MODEL,
                        concurrencyPrompt(Prompts.DISTINCT_VARIANTS - 20 - i), COLD_START_TOKENS);
                firstToken.add(s.ttftMs());
                loads.add(client.models().model(CONCURRENCY_MODEL).map(ModelStatus::loadMillis).orElse(Double.NaN));
                client.unload(CONCURRENCY_MODEL);
                log.println("  first token after " + Targets.fmt(s.ttftMs(), 0) + " ms");
            }
            return new ColdStart(firstToken, loads, null);
        } catch (RuntimeException e) {
            return new ColdStart(firstToken, loads, e.getMessage());
        }
    }

    /**
     * Waits, at most 30 s, until the server's /health says healthy: its CPU rule counts the other paths'
     * processes (and the concurrency reference) as other load for its CPU window, as it would any other
     * program on the host. The orchestrator does the same when it probes /health before sending work.
     */
    private void awaitServerCalm() throws InterruptedException {
        if (serverClient == null) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(30).toNanos();
        boolean waited = false;
        try {
            while (!serverClient.health().healthy() && System.nanoTime() < deadline) {
                waited = true;
                Thread.sleep(200);
            }
        } catch (RuntimeException e) {
            // the run that follows reports what is wrong with the server
        }
        if (waited) {
            calmWaitMillis += (System.nanoTime() - start) / 1_000_000;
        }
    }

    /** Finds the prompt layouts whose token counts (as the engine counts them) are the ones asked for. */
    private Plan calibrate(LoadedModel model) {
        Prompts.Shape shape = Prompts.fit(o.promptTokens(), model::countTokens);
        List<String> prompts = IntStream.range(0, o.repetitions()).mapToObj(shape::text).toList();
        int counted = model.countTokens(prompts.getFirst());
        for (String p : prompts) {
            int n = model.countTokens(p);
            if (n != counted) {
                notes.add("Prompts differ in length: " + n + " and " + counted + " tokens.");
            }
        }
        if (counted != o.promptTokens()) {
            notes.add("No prompt of exactly " + o.promptTokens() + " tokens was found; the prompt has " + counted + ".");
        }
        concurrencyShape = Prompts.fit(o.concurrencyPromptTokens(), model::countTokens);
        concurrencyPromptTokens = model.countTokens(concurrencyShape.text(0));
        log.println("  prompt: " + counted + " tokens (" + shape.letters() + " letters); concurrency prompts: "
                + concurrencyPromptTokens + " tokens");
        return new Plan(Prompts.spaced(32, Prompts.DISTINCT_VARIANTS - 1), WARMUP_TOKENS, prompts, counted, o.tokens());
    }

    /** The layout the vocabulary implies (BOS, then a word-boundary piece and a letter per letter), unverified. */
    private Plan uncalibrated() {
        int letters = (o.promptTokens() - 1) / 2;
        boolean trailing = (o.promptTokens() - 1) % 2 == 1;
        Prompts.Shape shape = new Prompts.Shape(letters, trailing);
        concurrencyShape = new Prompts.Shape(Math.max(2, (o.concurrencyPromptTokens() - 1) / 2), false);
        concurrencyPromptTokens = 2 * concurrencyShape.letters() + 1;
        notes.add("Prompt lengths were not verified with the engine (it failed); they are computed from the vocabulary.");
        return new Plan(Prompts.spaced(32, Prompts.DISTINCT_VARIANTS - 1), WARMUP_TOKENS,
                IntStream.range(0, o.repetitions()).mapToObj(shape::text).toList(), 2 * letters + 1 + (trailing ? 1 : 0),
                o.tokens());
    }

    private String concurrencyPrompt(int variant) {
        return concurrencyShape.text(Math.floorMod(variant, Prompts.DISTINCT_VARIANTS));
    }

    private void checkRegistry(CerebrumClient client) {
        List<String> available = client.models().availableModels();
        List<String> wanted = new ArrayList<>(o.threads().stream().map(t -> "bench-t" + t).toList());
        wanted.addAll(o.threads().stream().map(t -> "ffm-t" + t).toList());
        wanted.add(CONCURRENCY_MODEL);
        for (String name : wanted) {
            if (!available.contains(name)) {
                String reason = client.models().model(name).map(ModelStatus::reason).orElse("not registered");
                throw new IllegalStateException("model '" + name + "' is not available on the server: " + reason);
            }
        }
    }

    private Map<String, String> serverSettings(Path runDir, Path modelPath, String apiKey) throws IOException {
        Path dir = runDir.resolve("server");
        Files.createDirectories(dir);
        StringBuilder yaml = new StringBuilder("models:\n");
        String path = "\"" + modelPath.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        for (int t : o.threads()) {
            for (String engine : List.of("llamacpp", "ffm")) {
                yaml.append("  ").append(engine.equals("ffm") ? "ffm-t" : "bench-t").append(t).append(":\n    path: ")
                        .append(path).append("\n    ctx_size: ").append(o.comparisonContext()).append("\n    threads: ")
                        .append(t).append("\n    parallel: 1\n    engine: ").append(engine).append('\n');
            }
        }
        yaml.append("  ").append(CONCURRENCY_MODEL).append(":\n    path: ").append(path).append("\n    ctx_size: ")
                .append(o.concurrencyContext()).append("\n    threads: ").append(o.concurrencyThreads())
                .append("\n    parallel: ").append(o.slots()).append('\n');
        Path registry = dir.resolve("models.yaml");
        Files.writeString(registry, yaml.toString(), StandardCharsets.UTF_8);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CEREBRUM_API_KEY", apiKey);
        env.put("CEREBRUM_VPS_PORT", "0");
        env.put("VPS_BIND_IP", "127.0.0.1");
        env.put("CEREBRUM_MODELS_FILE", registry.toString());
        env.put("CEREBRUM_MODELS_DIR", dir.toString());
        env.put("CEREBRUM_LOG_DIR", dir.resolve("logs").toString());
        env.put("CEREBRUM_RUN_DIR", dir.resolve("run").toString());
        env.put("CEREBRUM_QUEUE_SIZE", "1024");
        env.put("CEREBRUM_QUEUE_TIMEOUT_SECONDS", "3600");
        env.put("CEREBRUM_LOAD_TIMEOUT_SECONDS", "600");
        env.put("CEREBRUM_IDLE_UNLOAD_MINUTES", "0");
        env.put("CEREBRUM_MAX_LOADED_MODELS", "6");
        env.put("CEREBRUM_LLAMA_NATIVES_DIR", o.natives().toString());
        env.put("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "5");
        return env;
    }

    /** Says when other processes took a noticeable share of the CPU while paths were compared. */
    private void noteInterference(Machine machine) {
        for (Phase p : phases) {
            double taken = p.otherCores() + (Double.isNaN(p.stealCores()) ? 0 : p.stealCores());
            if (p.name().startsWith("single stream") || p.name().equals("concurrency")) {
                if (taken >= 0.05) {
                    notes.add(String.format(java.util.Locale.ROOT, "During \"%s\" other processes (and the hypervisor)"
                            + " took %.2f of the %d processors on average: the figures of that phase are disturbed;"
                            + " its medians are less trustworthy than its best runs (min time, max rate).",
                            p.name(), taken, machine.cpus()));
                }
            }
        }
    }

    private void noteShortRuns(PathResult... paths) {
        for (PathResult p : paths) {
            long n = p.shortRuns(o.tokens());
            if (n > 0) {
                notes.add(ReportRenderer.pathName(p.path()) + " at " + p.threads() + " thread(s): " + n + " of "
                        + p.runs().size() + " runs ended before " + o.tokens() + " tokens (finish reason "
                        + p.runs().stream().filter(r -> r.completionTokens() < o.tokens()).map(RunSample::finishReason)
                        .distinct().toList() + "); their decode rates count the tokens they had.");
            }
        }
    }

    private void write(Path out, BenchReport report) throws IOException {
        String markdown = ReportRenderer.markdown(report);
        Files.writeString(out.resolve("report.md"), markdown, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("report.json"), ReportJson.render(report), StandardCharsets.UTF_8);
        Path chart = out.resolve("concurrency.png");
        if (!report.concurrency().isEmpty()) {
            Chart.write(chart, report.concurrency(), o.slots() + " slots, " + o.concurrencyThreads() + " thread(s), "
                    + o.tokens() + " tokens per stream; " + report.machine().cpus() + " processors");
        }
        log.println();
        log.println(markdown);
        log.println("Report: " + out.resolve("report.md") + ", " + out.resolve("report.json")
                + (report.concurrency().isEmpty() ? "" : ", chart: " + chart));
    }

    private static String summaryLine(PathResult p) {
        if (p.error() != null) {
            return "failed: " + p.error();
        }
        return "TTFT " + ReportRenderer.range(p.ttftMs(), 0) + " ms, prompt "
                + ReportRenderer.range(p.promptTokensPerSecond(), 1) + " tok/s, decode "
                + ReportRenderer.range(p.decodeTokensPerSecond(), 2) + " tok/s (" + p.promptTokens() + " prompt tokens)"
                + (p.probes().isEmpty() ? "" : "; probe TTFT " + ReportRenderer.range(p.probeTtftMs(), 1) + " ms");
    }

    private void phase() {
        phaseStart = CpuMeter.now();
    }

    private void end(String label) {
        CpuMeter.Snapshot now = CpuMeter.now();
        CpuMeter.Use use = CpuMeter.between(phaseStart, now);
        phases.add(new Phase(label, (now.nanos() - phaseStart.nanos()) / 1e9, use.otherCores(), use.stealCores()));
    }

    /** Milliseconds since {@code nanos}. */
    private static double since(long nanos) {
        return (System.nanoTime() - nanos) / 1e6;
    }
}
