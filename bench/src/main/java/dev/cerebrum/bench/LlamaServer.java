package dev.cerebrum.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * llama-server, the peer: found or built once from the pinned source by {@code bench/peer/build-llama-server.sh},
 * then run as a child process on loopback.
 */
final class LlamaServer implements AutoCloseable {
    /** The build script, relative to the repository (the launcher runs the benchmark there). */
    static final Path BUILD_SCRIPT = Path.of("bench", "peer", "build-llama-server.sh");
    /** The script's exit status when a tool is missing. */
    static final int MISSING_TOOL = 3;
    /** The file the build script writes beside the binary: how and how long it was built. */
    static final String BUILD_INFO = "BUILD.txt";
    private static final long START_TIMEOUT_SECONDS = 180;

    private final StoppedChild child;
    private final int port;
    private final List<String> command;

    private LlamaServer(Process process, int port, List<String> command) {
        this.child = new StoppedChild(process, Duration.ofSeconds(30), "llama-server");
        this.port = port;
        this.command = List.copyOf(command);
    }

    /**
     * Where the binary is, or why there is none.
     *
     * @param binary     the binary, or null
     * @param skipReason why the peer is skipped, or null
     */
    record Located(Path binary, String skipReason) {
    }

    /** The given binary, or the build script's (which builds it the first time, minutes on 2 cores). */
    static Located locate(Path given, Path logDir, PrintStream log) throws IOException, InterruptedException {
        if (given != null) {
            return Files.isExecutable(given) ? new Located(given, null)
                    : new Located(null, "--llama-server " + given + " is not an executable file");
        }
        Path script = BUILD_SCRIPT.toAbsolutePath();
        if (!Files.isRegularFile(script)) {
            return new Located(null, "the build script " + BUILD_SCRIPT + " is not here (run the benchmark from the"
                    + " repository, as ./cerebrum bench does), and no --llama-server was given");
        }
        Files.createDirectories(logDir);
        Path err = logDir.resolve("build-llama-server.log");
        log.println("llama-server: " + BUILD_SCRIPT + " (builds it once from the pinned source; messages in " + err + ")");
        Process build = new ProcessBuilder("bash", script.toString()).redirectError(err.toFile()).start();
        build.getOutputStream().close();
        String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int status = build.waitFor();
        String messages = Files.readString(err, StandardCharsets.UTF_8).strip();
        if (status == MISSING_TOOL) {
            return new Located(null, "no toolchain to build llama-server: " + messages.replace("build-llama-server: ", "")
                    .replace("\n", " "));
        }
        if (status != 0 || out.isEmpty()) {
            return new Located(null, "building llama-server failed (exit " + status + "; see " + err + ")");
        }
        Path binary = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
        return Files.isExecutable(binary) ? new Located(binary, null)
                : new Located(null, "the build script named " + binary + ", which is not executable");
    }

    /** The binary's {@code --version} line, for the report. */
    static String version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return text.lines().filter(l -> l.startsWith("version")).findFirst().orElse("?").strip();
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /**
     * What the build script wrote about the build beside {@code binary} (the first line of its {@code BUILD.txt}:
     * commit, date, build time), or null when there is no such file (a binary given with {@code --llama-server}).
     */
    static String buildInfo(Path binary) {
        Path file = binary.toAbsolutePath().resolveSibling(BUILD_INFO);
        try {
            return Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst()
                    .map(String::strip).orElse(null) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The command line that serves {@code model} with these settings on loopback port {@code port}. */
    static List<String> command(Path binary, Path model, int threads, int slots, int context, int port) {
        return List.of(binary.toString(), "-m", model.toString(), "-t", String.valueOf(threads), "-tb",
                String.valueOf(threads), "-np", String.valueOf(slots), "-c", String.valueOf(context), "--host",
                "127.0.0.1", "--port", String.valueOf(port), "--no-webui");
    }

    /** Starts it and waits until {@code /health} answers 200 (the model is loaded). */
    static LlamaServer start(Path binary, Path model, int threads, int slots, int context, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> command = command(binary, model, threads, slots, context, port);
        Path logFile = dir.resolve("llama-server.log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
        process.getOutputStream().close();
        LlamaServer server = new LlamaServer(process, port, command);
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return server;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
        }
        server.close();
        throw new IOException("llama-server did not become healthy within " + START_TIMEOUT_SECONDS + " s (see "
                + logFile + ")");
    }

    /** Its base address. */
    URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    long pid() {
        return child.process().pid();
    }

    /** The command line it runs with, without the binary's folder. */
    String commandLine() {
        List<String> shown = new ArrayList<>(command);
        shown.set(0, Path.of(command.getFirst()).getFileName().toString());
        int model = shown.indexOf("-m") + 1;
        shown.set(model, Path.of(shown.get(model)).getFileName().toString());
        return String.join(" ", shown);
    }

    @Override
    public void close() {
        child.close();
    }
}
