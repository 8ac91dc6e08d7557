package dev.cerebrum.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code ./cerebrum} of this repository with a private working directory
 * ({@code CEREBRUM_HOME}), a free port and a clean environment: no setting of the developer's leaks in.
 */
final class Launcher {
    /** The repository root, from the build ({@code cerebrum.repo.root}) or the module's folder. */
    static final Path ROOT = Path.of(System.getProperty("cerebrum.repo.root", "../..")).toAbsolutePath().normalize();
    static final Path SCRIPT = ROOT.resolve("cerebrum");

    private final Path home;
    private final Map<String, String> env = new HashMap<>();
    private final int port;

    Launcher(Path home) {
        this.home = home;
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.port = freePort();
        System.getenv().forEach((k, v) -> {
            if (!isSetting(k)) {
                env.put(k, v);
            }
        });
        env.put("CEREBRUM_HOME", home.toString());
        env.put("CEREBRUM_VPS_PORT", Integer.toString(port));
        // The tests run after packaging: a launcher that started Maven here would build under the build.
        env.put("CEREBRUM_NO_BUILD", "1");
        env.put("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "5");
    }

    private static boolean isSetting(String name) {
        return name.startsWith("CEREBRUM_") || name.equals("VPS_BIND_IP") || name.equals("MAX_CPU_PERCENT")
                || name.equals("ALLOWED_CM4_IP");
    }

    Path home() {
        return home;
    }

    int port() {
        return port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Sets (or with null removes) a variable of the launcher's environment. */
    Launcher env(String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return this;
    }

    /** What a finished run printed and returned. */
    record Result(int exitCode, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs {@code ./cerebrum ARGS} from the working directory and waits for it (bounded). */
    Result run(String... args) {
        return run(Duration.ofSeconds(150), args);
    }

    Result run(Duration timeout, String... args) {
        Process p = spawn(args);
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> err = read(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("./cerebrum " + String.join(" ", args) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AssertionError("interrupted", e);
        } catch (Exception e) {
            throw new AssertionError("cannot read the output of ./cerebrum " + String.join(" ", args), e);
        }
    }

    /** Starts {@code ./cerebrum ARGS} without waiting; the caller ends it. */
    Process spawn(String... args) {
        List<String> command = new ArrayList<>();
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CompletableFuture<String> read(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        });
    }

    /** The pid the launcher recorded, or -1. */
    long recordedPid() {
        Path file = home.resolve("run/cerebrum-backend.pid");
        try {
            return Files.exists(file) ? Long.parseLong(Files.readString(file).strip()) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Stops a server this launcher started, whatever state the test left it in. */
    void cleanUp() {
        long pid = recordedPid();
        run(Duration.ofSeconds(60), "stop");
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
