package dev.cerebrum.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The server as its own process, started the way the launcher starts it (the packaged jar and its copied
 * dependencies, on the module path), with its own JVM start-up, working folder and {@code .env}. Nothing of the test's
 * environment reaches it but what {@code .env} says; its console goes to {@code console.log}.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Cerebrum backend listening on http://127\\.0\\.0\\.1:(\\d+)");

    final Process process;
    final Path dir;
    final URI base;

    private ServerProcess(Process process, Path dir, URI base) {
        this.process = process;
        this.dir = dir;
        this.base = base;
    }

    /** Starts a server in {@code dir} with this {@code .env} content and waits until it prints its address. */
    static ServerProcess start(Path dir, String dotEnv) {
        try {
            Files.writeString(dir.resolve(".env"), dotEnv);
            Path console = dir.resolve("console.log");
            ProcessBuilder pb = new ProcessBuilder(command())
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(console.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("CEREBRUM_") || k.equals("VPS_BIND_IP")
                    || k.equals("MAX_CPU_PERCENT") || k.equals("ALLOWED_CM4_IP"));
            Process process = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String out = Files.exists(console) ? Files.readString(console, StandardCharsets.UTF_8) : "";
                Matcher m = LISTENING.matcher(out);
                if (m.find()) {
                    return new ServerProcess(process, dir, URI.create("http://127.0.0.1:" + m.group(1)));
                }
                if (!process.isAlive()) {
                    fail("the server exited with " + process.exitValue() + ":\n" + out);
                }
                Thread.sleep(5);
            }
            process.destroyForcibly();
            return fail("the server printed no address within 60 s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /**
     * The command the launcher runs: the packaged server on the module path, with native access for JNA (OSHI).
     */
    static List<String> command() {
        Path target = Path.of("target").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "--enable-native-access=com.sun.jna",
                "-p", target.resolve("server-helidon.jar") + File.pathSeparator + target.resolve("lib"),
                "-m", "dev.cerebrum.server/dev.cerebrum.server.Main");
    }

    Http http() {
        return new Http(base);
    }

    /** SIGTERM (the server ends its workers), then SIGKILL for anything left. */
    @Override
    public void close() {
        var workers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            workers.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
