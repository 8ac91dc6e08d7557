package dev.cerebrum.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server in a child JVM, started as the launcher starts it ({@code dev.cerebrum.server.Main} with
 * settings in the environment), so that its memory is its own and is measured apart from the benchmark's.
 * It gets a clean environment and a working directory without {@code .env}, so no setting leaks in.
 */
final class ServerProcess implements AutoCloseable {
    static final String MAIN_CLASS = "dev.cerebrum.server.Main";
    /** What the command line of a worker of either engine contains. */
    static final String WORKER_MARKER = "WorkerMain";
    /** The java-llama.cpp engine's worker, the only one the benchmark's own SPI path starts. */
    static final String LLAMACPP_WORKER = "dev.cerebrum.engine.llamacpp.worker.WorkerMain";
    private static final Pattern LISTENING = Pattern.compile("listening on http://\\S+:(\\d+)");
    private static final long START_TIMEOUT_SECONDS = 120;

    private final StoppedChild child;
    private final int port;

    private ServerProcess(Process process, int port) {
        this.child = new StoppedChild(process, Duration.ofSeconds(60), "bench-server");
        this.port = port;
    }

    /** Starts the server with {@code settings} (environment variable names) and waits until it listens. */
    static ServerProcess start(Path dir, Map<String, String> settings) throws IOException, InterruptedException {
        Path work = dir.toAbsolutePath();
        Files.createDirectories(work);
        List<String> command = new ArrayList<>();
        command.add(Jvm.javaBinary());
        String javaOpts = System.getenv("CEREBRUM_JAVA_OPTS");
        if (javaOpts != null && !javaOpts.isBlank()) {
            command.addAll(Arrays.asList(javaOpts.strip().split("\\s+")));
        }
        command.addAll(List.of("-cp", Jvm.absoluteClassPath(), MAIN_CLASS));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.clear();
        for (String keep : List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "TMPDIR")) {
            String v = System.getenv(keep);
            if (v != null) {
                env.put(keep, v);
            }
        }
        env.putAll(settings);
        Process process = builder.start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Path logFile = work.resolve("server-console.log");
        Thread pump = new Thread(() -> pump(process, logFile, port), "server-console");
        pump.setDaemon(true);
        pump.start();
        try {
            return new ServerProcess(process, port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IOException("the server did not start within " + START_TIMEOUT_SECONDS + " s (see " + logFile + ")");
        }
    }

    /**
     * The benchmark's server settings: loopback on a free port, {@code registry} as the models file, work folders
     * under {@code dir}, a deep queue with long timeouts, no idle unload, the ffm engine's libraries in {@code natives}.
     */
    static Map<String, String> settings(Path dir, Path registry, String apiKey, Path natives) {
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
        env.put("CEREBRUM_LLAMA_NATIVES_DIR", natives.toString());
        env.put("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "5");
        return env;
    }

    /** Copies the console to a file and finds the port in the start-up line. */
    private static void pump(Process process, Path logFile, CompletableFuture<Integer> port) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            // the process ended
        } finally {
            port.completeExceptionally(new IOException("the server exited"));
        }
    }

    /** The port it listens on, on 127.0.0.1. */
    int port() {
        return port;
    }

    long pid() {
        return child.process().pid();
    }

    /** The server process's resident memory. */
    ProcFs.Rss rss() {
        return ProcFs.rss(child.process().pid());
    }

    /** The model worker process the server started, if one is running. */
    Optional<ProcessHandle> worker() {
        return ProcFs.child(child.process().pid(), WORKER_MARKER);
    }

    /** The worker of the model of that name: its private folder, named after the model, is on its command line. */
    Optional<ProcessHandle> worker(String model) {
        return ProcFs.child(child.process().pid(), "/workers/" + model + "-");
    }

    /** Stops it as the launcher does (SIGTERM), and kills what is left after a minute. */
    @Override
    public void close() {
        child.close();
    }
}
