package dev.cerebrum.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

    private final Process process;
    private final int port;
    /** Stops the server when the benchmark is interrupted (Ctrl+C): the server would outlive it otherwise. */
    private final Thread shutdownHook;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        this.shutdownHook = new Thread(this::stop, "bench-server-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
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
        return process.pid();
    }

    /** The server process's resident memory. */
    ProcFs.Rss rss() {
        return ProcFs.rss(process.pid());
    }

    /** The model worker process the server started, if one is running. */
    Optional<ProcessHandle> worker() {
        return ProcFs.child(process.pid(), WORKER_MARKER);
    }

    /** The worker of the model of that name: its private folder, named after the model, is on its command line. */
    Optional<ProcessHandle> worker(String model) {
        return ProcFs.child(process.pid(), "/workers/" + model + "-");
    }

    /** Stops it as the launcher does (SIGTERM), and kills what is left after a minute. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook stops the server
        }
        stop();
    }

    private void stop() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
