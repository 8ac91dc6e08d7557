package dev.cerebrum.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import dev.cerebrum.engine.ffm.ReferenceLoop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The raw references, each in a child JVM of its own: path (a), de.kherud:llama generating in-process (llama.cpp
 * b4916), and path (d), {@link ReferenceLoop}, the minimal C-API loop on the ffm engine's current llama.cpp
 * (same library and settings as the engine, no scheduler, no worker process). A child, because a JVM that
 * loaded a model with the binding never exits by itself and never frees its memory
 * (<a href="https://github.com/kherud/java-llama.cpp/issues/116">java-llama.cpp#116</a>,
 * <a href="https://github.com/kherud/java-llama.cpp/issues/102">#102</a>). It runs at raw llama.cpp speed:
 * the native warm-up is skipped (it would create a second OpenMP thread team on the loading thread) and
 * one warm-up generation runs on the server thread instead, as the engine's worker does.
 *
 * <p>The child stays loaded and runs one generation per request, so the benchmark can interleave its runs
 * with the other paths' and other work on the machine slows all paths alike. Requests and answers are JSON
 * lines over a Unix domain socket: the binding's native code prints to stdout, which is therefore no channel.
 */
final class RawReference implements PathRunner {
    static final String CHILD_FLAG = "--raw-child";
    /** The path name of the reference run with the binding's defaults (native warm-up on). */
    static final String TRAP_PATH = "raw-native-warmup";
    /** The path name of the raw loop on the current llama.cpp. */
    static final String FFM_PATH = "ffm-raw";
    private static final long LOAD_TIMEOUT_SECONDS = 600;
    private static final long RUN_TIMEOUT_SECONDS = 1800;

    private final Process process;
    private final SocketChannel channel;
    private final OutputStream out;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Path logFile;
    private double loadMs = Double.NaN;

    /**
     * How the child loads the model.
     *
     * @param model        the model file
     * @param contextSize  total context
     * @param threads      generation and prompt threads
     * @param batchSize    logical batch size
     * @param parallel     parallel slots
     * @param nativeWarmup keep the binding's default native warm-up (the warm-up trap), for comparison
     * @param ffmNatives   the current llama.cpp's folder for the raw FFM loop, or null for the binding
     */
    record Spec(Path model, int contextSize, int threads, int batchSize, int parallel, boolean nativeWarmup,
                Path ffmNatives) {
        /** The binding. */
        Spec(Path model, int contextSize, int threads, int batchSize, int parallel, boolean nativeWarmup) {
            this(model, contextSize, threads, batchSize, parallel, nativeWarmup, null);
        }

        String path() {
            return ffmNatives != null ? FFM_PATH : nativeWarmup ? TRAP_PATH : "raw";
        }
    }

    private RawReference(Process process, SocketChannel channel, Path logFile) {
        this.process = process;
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
        this.logFile = logFile;
        Thread reader = new Thread(this::readAnswers, "raw-reference-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a child JVM and waits until it has loaded the model. */
    static RawReference start(Spec spec, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("tmp"));
        String tag = spec.path() + "-t" + spec.threads() + "-p" + spec.parallel();
        Path logFile = dir.resolve(tag + ".log");
        // Socket paths are limited to about 107 bytes: a short private folder of its own.
        Path socketDir = Files.createTempDirectory("cb-");
        Path socket = socketDir.resolve("s");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Process process;
        SocketChannel channel;
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
            List<String> command = List.of(Jvm.javaBinary(), "--enable-native-access=ALL-UNNAMED",
                    // A private folder: the binding's library clean-up deletes files of other JVMs in a shared one.
                    "-Dde.kherud.llama.tmpdir=" + dir.resolve("tmp").toAbsolutePath(),
                    "-Djava.io.tmpdir=" + dir.resolve("tmp").toAbsolutePath(),
                    "-cp", Jvm.absoluteClassPath(), Main.class.getName(), CHILD_FLAG, socket.toString());
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile())).start();
            channel = acceptWithin(server, process, 120);
        } finally {
            server.close();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(socketDir);
        }
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("model", spec.model().toAbsolutePath().toString());
        load.put("context_size", spec.contextSize());
        load.put("threads", spec.threads());
        load.put("batch_size", spec.batchSize());
        load.put("parallel", spec.parallel());
        load.put("native_warmup", spec.nativeWarmup());
        if (spec.ffmNatives() != null) {
            load.put("ffm_natives", spec.ffmNatives().toAbsolutePath().toString());
        }
        RawReference reference = new RawReference(process, channel, logFile);
        try {
            reference.loadMs = num(reference.call(load, LOAD_TIMEOUT_SECONDS), "load_ms");
            return reference;
        } catch (IOException | RuntimeException e) {
            reference.close();
            throw e;
        }
    }

    private static SocketChannel acceptWithin(ServerSocketChannel server, Process process, long seconds)
            throws IOException, InterruptedException {
        server.configureBlocking(false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            SocketChannel c = server.accept();
            if (c != null) {
                c.configureBlocking(true);
                return c;
            }
            if (!process.isAlive()) {
                throw new IOException("the reference JVM exited with status " + process.exitValue() + " before connecting");
            }
            Thread.sleep(20);
        }
        process.destroyForcibly();
        throw new IOException("the reference JVM did not connect within " + seconds + " s");
    }

    private void readAnswers() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                answers.add(line);
            }
        } catch (IOException e) {
            // the child is gone; callers time out or see it dead
        }
    }

    double loadMs() {
        return loadMs;
    }

    /** One greedy generation with ignore_eos, timed inside the child as its consumer. */
    @Override
    public RunSample run(String prompt, int tokens) throws IOException, InterruptedException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("prompt", prompt);
        request.put("tokens", tokens);
        return sample(call(request, RUN_TIMEOUT_SECONDS));
    }

    /**
     * Generations started at once on the child's slots.
     *
     * @param aggregateTps completion tokens of all over the time until the last ended
     * @param samples      each generation
     */
    record Burst(double aggregateTps, List<RunSample> samples) {
    }

    /** Starts one generation per prompt at once, on the child's parallel slots. */
    Burst concurrent(List<String> prompts, int tokens) throws IOException, InterruptedException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("concurrent", prompts);
        request.put("tokens", tokens);
        Map<String, Object> r = call(request, RUN_TIMEOUT_SECONDS);
        List<RunSample> samples = new ArrayList<>();
        for (Object o : (List<?>) r.get("runs")) {
            samples.add(sample((Map<?, ?>) o));
        }
        return new Burst(num(r, "aggregate_tps"), samples);
    }

    private static RunSample sample(Map<?, ?> r) {
        return new RunSample(num(r, "ttft_ms"), num(r, "prompt_tps"), num(r, "decode_tps"), (int) num(r, "prompt_tokens"),
                (int) num(r, "completion_tokens"), String.valueOf(r.get("finish")), num(r, "total_ms"), Double.NaN);
    }

    /** The child's resident memory. */
    @Override
    public ProcFs.Rss rss() {
        return ProcFs.rss(process.pid());
    }

    private Map<String, Object> call(Map<String, Object> request, long timeoutSeconds)
            throws IOException, InterruptedException {
        synchronized (out) {
            out.write((JSON.std.asString(request) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        String line = answers.poll(timeoutSeconds, TimeUnit.SECONDS);
        if (line == null) {
            close();
            throw new IOException(process.isAlive() ? "the reference JVM did not answer within " + timeoutSeconds + " s"
                    : "the reference JVM exited (see " + logFile + ")");
        }
        Map<String, Object> answer = JSON.std.mapFrom(line);
        if (answer.get("error") != null) {
            throw new IOException("the reference JVM failed: " + answer.get("error"));
        }
        return answer;
    }

    /** Ends the child (it would never exit by itself once it has loaded a model). */
    @Override
    public void close() {
        try {
            channel.close();
            Jvm.waitOrKill(process, 10);
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static double num(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    // ---------------------------------------------------------------------------------------------
    // The child JVM
    // ---------------------------------------------------------------------------------------------

    /** The child: serves load and run requests until its socket closes, then halts. */
    static void childMain(Path socket) {
        int status = 1;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(channel);
            LlamaModel model = null;
            ReferenceLoop loop = null;
            String line;
            while ((line = in.readLine()) != null) {
                Map<String, Object> request = JSON.std.mapFrom(line);
                Map<String, Object> answer = new LinkedHashMap<>();
                try {
                    if (model == null && loop == null) {
                        long start = System.nanoTime();
                        if (request.get("ffm_natives") instanceof String natives) {
                            loop = ReferenceLoop.open(Path.of(natives), Path.of((String) request.get("model")),
                                    ((Number) request.get("context_size")).intValue(),
                                    ((Number) request.get("threads")).intValue(),
                                    ((Number) request.get("batch_size")).intValue());
                        } else {
                            model = load(request);
                        }
                        answer.put("load_ms", (System.nanoTime() - start) / 1e6);
                    } else if (loop != null) {
                        run(loop, (String) request.get("prompt"), ((Number) request.get("tokens")).intValue(), answer);
                    } else if (request.get("concurrent") instanceof List<?> prompts) {
                        concurrent(model, prompts, ((Number) request.get("tokens")).intValue(), answer);
                    } else {
                        run(model, (String) request.get("prompt"), ((Number) request.get("tokens")).intValue(), answer);
                    }
                } catch (RuntimeException e) {
                    answer.put("error", String.valueOf(e.getMessage()));
                }
                out.write((JSON.std.asString(answer) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            Runtime.getRuntime().halt(status);
        }
    }

    private static LlamaModel load(Map<String, Object> s) {
        int threads = ((Number) s.get("threads")).intValue();
        ModelParameters parameters = new ModelParameters()
                .setModel((String) s.get("model"))
                .setCtxSize(((Number) s.get("context_size")).intValue())
                .setThreads(threads)
                .setThreadsBatch(threads)
                .setParallel(((Number) s.get("parallel")).intValue())
                .setBatchSize(((Number) s.get("batch_size")).intValue())
                .setSeed(0)
                .disableContextShift()
                .disableLog();
        if (!Boolean.TRUE.equals(s.get("native_warmup"))) {
            parameters.skipWarmup();
        }
        return new LlamaModel(parameters);
    }

    private static void concurrent(LlamaModel model, List<?> prompts, int tokens, Map<String, Object> answer)
            throws InterruptedException {
        List<Map<String, Object>> runs = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (Object p : prompts) {
            Thread t = new Thread(() -> {
                Map<String, Object> r = new LinkedHashMap<>();
                try {
                    go.await();
                    run(model, (String) p, tokens, r);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    r.put("error", String.valueOf(e.getMessage()));
                }
                runs.add(r);
            });
            t.start();
            threads.add(t);
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long completion = runs.stream().mapToLong(r -> ((Number) r.getOrDefault("completion_tokens", 0)).longValue()).sum();
        answer.put("aggregate_tps", completion / seconds);
        answer.put("runs", runs);
        runs.stream().filter(r -> r.get("error") != null).findFirst().ifPresent(r -> answer.put("error", r.get("error")));
    }

    private static void run(ReferenceLoop loop, String prompt, int tokens, Map<String, Object> answer) {
        ReferenceLoop.Run r = loop.run(prompt, tokens);
        answer.put("ttft_ms", r.ttftNanos() / 1e6);
        answer.put("prompt_tps", r.promptTokensPerSecond());
        answer.put("decode_tps", r.decodeTokensPerSecond());
        answer.put("prompt_tokens", r.promptTokens());
        answer.put("completion_tokens", r.completionTokens());
        answer.put("finish", "length");
        answer.put("total_ms", r.totalNanos() / 1e6);
    }

    private static void run(LlamaModel model, String prompt, int tokens, Map<String, Object> answer) {
        // The binding's encode() leaves out the BOS token that generation puts first.
        int promptTokens = model.encode(prompt).length + 1;
        InferenceParameters parameters = new InferenceParameters(prompt)
                .setNPredict(tokens)
                .setTemperature(0)
                .setRepeatPenalty(1.0f)
                .setTopK(40)
                .setTopP(0.95f)
                .setMinP(0.05f)
                .setIgnoreEos(true);
        TokenClock clock = new TokenClock();
        LlamaIterator iterator = model.generate(parameters).iterator();
        int outputs = 0;
        // Consumed as the engine's worker consumes it: the last output only carries the stop flag.
        while (iterator.hasNext()) {
            iterator.next();
            if (!iterator.hasNext()) {
                break;
            }
            outputs++;
            clock.tokens(outputs);
        }
        RunSample r = clock.sample(promptTokens, outputs, outputs >= tokens ? "length" : "stop", Double.NaN);
        answer.put("ttft_ms", r.ttftMs());
        answer.put("prompt_tps", r.promptTokensPerSecond());
        answer.put("decode_tps", r.decodeTokensPerSecond());
        answer.put("prompt_tokens", r.promptTokens());
        answer.put("completion_tokens", r.completionTokens());
        answer.put("finish", r.finishReason());
        answer.put("total_ms", r.totalMs());
    }
}
