package dev.cerebrum.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real server: {@code dev.cerebrum.server.Main} in a JVM of its own, with this JVM's class path, a working
 * directory of its own (the demo model is written there), its settings in the environment and nothing else of
 * the caller's, listening on a free loopback port. Optionally under a lowered open-files limit.
 */
final class ServerProcess implements AutoCloseable {
    /** The API key every server of the suite gets. */
    static final String KEY = "reliability-key-5f0c2a9e7b41d8c3";
    private static final String MAIN_CLASS = "dev.cerebrum.server.Main";
    private static final Pattern LISTENING =
            Pattern.compile("Cerebrum backend listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final Path dir;
    private final int port;
    private final Map<String, String> settings;
    /** What every worker's command line holds: its folder under its engine's folder in this server's run folder. */
    private final Pattern workerFolder;
    private final Thread console;

    private ServerProcess(Process process, Thread console, Path dir, int port, Map<String, String> settings)
            throws IOException {
        this.process = process;
        this.console = console;
        this.dir = dir;
        this.port = port;
        this.settings = Map.copyOf(settings);
        // The server resolves its run folder against its working directory as the OS reports it.
        this.workerFolder = Pattern.compile(Pattern.quote(dir.toRealPath().resolve("run") + "/")
                + "[^/\\s]+/workers/(\\S+)-\\d+-\\d+/");
    }

    /** A server to be started in {@code dir}. */
    static Builder in(Path dir) {
        return new Builder(dir);
    }

    /** Its settings and limits before it starts. */
    static final class Builder {
        private final Path dir;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private int descriptorLimit;

        private Builder(Path dir) {
            this.dir = dir;
            settings.put("CEREBRUM_API_KEY", KEY);
            settings.put("CEREBRUM_VPS_PORT", "0");
            settings.put("VPS_BIND_IP", "127.0.0.1");
            settings.put("CEREBRUM_ENV_FILE", "");
            settings.put("CEREBRUM_MIN_FREE_RAM_MB", "0");
            settings.put("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "5");
        }

        /** Sets one environment variable of the server. */
        Builder setting(String name, String value) {
            settings.put(name, value);
            return this;
        }

        /** Starts it under {@code prlimit --nofile=N:N}, as {@code ulimit -n N} would. */
        Builder descriptorLimit(int limit) {
            this.descriptorLimit = limit;
            return this;
        }

        /** Starts the server and waits until it listens. */
        ServerProcess start() throws IOException, InterruptedException {
            List<String> command = new ArrayList<>();
            if (descriptorLimit > 0) {
                command.addAll(List.of("prlimit", "--nofile=" + descriptorLimit + ":" + descriptorLimit, "--"));
            }
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-cp", classPath(), MAIN_CLASS));
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.keySet().retainAll(List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"));
            env.putAll(settings);
            Process process = pb.start();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread console = Thread.ofPlatform().daemon().name("server-console")
                    .start(() -> copyConsole(process, port));
            try {
                return new ServerProcess(process, console, dir, port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                        settings);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IOException("the server did not start; its console: " + dir.resolve("console.log"), e);
            }
        }

        /** This JVM's class path with every entry absolute: the server runs in another directory. */
        private static String classPath() {
            return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                    .map(entry -> Path.of(entry).toAbsolutePath().toString())
                    .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        }

        private void copyConsole(Process process, CompletableFuture<Integer> port) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(dir.resolve("console.log")), true)) {
                Matcher listening = LISTENING.matcher("");
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    out.println(line);
                    if (!port.isDone() && listening.reset(line).find()) {
                        port.complete(Integer.parseInt(listening.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                port.completeExceptionally(new IOException("the server exited"));
            }
        }
    }

    /** The loopback port it listens on. */
    int port() {
        return port;
    }

    /** {@code http://127.0.0.1:port}. */
    URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The settings it was started with (beyond these, the defaults apply). */
    Map<String, String> settings() {
        return settings;
    }

    /**
     * Its live model worker processes, found by their folders under its run folder rather than as its children,
     * so that a worker that outlived the server is found too.
     */
    List<ProcessHandle> workers() {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> workerFolder.matcher(c).find()).orElse(false))
                .toList();
    }

    /** The live worker of {@code model}, when there is exactly one. */
    Optional<ProcessHandle> worker(String model) {
        List<ProcessHandle> of = workers().stream()
                .filter(p -> p.info().commandLine().map(workerFolder::matcher)
                        .map(m -> m.find() && m.group(1).equals(model)).orElse(false))
                .toList();
        return of.size() == 1 ? Optional.of(of.getFirst()) : Optional.empty();
    }

    /**
     * How a stop ended.
     *
     * @param status the exit status, or -1 when it had not exited within the wait (it was then killed)
     * @param millis from the signal to the exit, or to the end of the wait
     */
    record Exit(int status, long millis) {
    }

    /**
     * Sends SIGTERM, as the launcher and systemd do, and waits for the exit and the last console line; kills it
     * when the wait runs out.
     */
    Exit terminate(Duration wait) throws InterruptedException {
        long start = System.nanoTime();
        // Through the handle: Process.destroy() would also close the pipe the console is read from.
        process.toHandle().destroy();
        boolean exited = process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (!exited) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        console.join(5_000);
        return new Exit(exited ? process.exitValue() : -1, millis);
    }

    /** What it wrote to stdout and stderr so far. */
    String console() {
        try {
            return Files.readString(dir.resolve("console.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Its memory, descriptors and threads now. */
    ProcessSample sample() {
        return ProcessSample.of(process.pid());
    }

    /** The text of its {@code logs/backend.log}. */
    String log() {
        try {
            return Files.readString(dir.resolve("logs/backend.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops it with SIGTERM as the launcher does, then kills whatever is left after a minute. */
    @Override
    public void close() {
        List<ProcessHandle> family = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }
}
