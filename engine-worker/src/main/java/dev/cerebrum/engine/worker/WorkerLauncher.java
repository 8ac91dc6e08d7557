package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.EngineFailureException;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts worker processes for one engine: the JVM command line, the worker's code, and a private
 * folder per worker (its temp folder, crash files and, for the binding, its native library's
 * scratch space), so that no two workers share a temp folder.
 *
 * <p>The worker runs its code the way the engine runs here. When the engine is a named module (the
 * server on the module path), the worker gets the modules the engine's module requires, found in this
 * JVM's module graph, and starts with {@code -m}; native access is enabled for the engine's module and
 * the modules of its extra classes (the binding). Otherwise it gets a class path of the jars or folders
 * of those classes.
 */
final class WorkerLauncher {
    /** Unix domain socket paths are limited to 107 bytes on Linux; keep a margin. */
    private static final int MAX_SOCKET_PATH = 100;

    private final Path workDir;
    private final WorkerCommand command;
    private final String javaBinary;
    private final WorkerCode code;
    private final AtomicInteger sequence = new AtomicInteger();

    private final boolean sharedArchive;
    private final Path archive;

    WorkerLauncher(Path workDir, WorkerCommand command, boolean sharedArchive) {
        this.workDir = workDir.toAbsolutePath();
        this.command = command;
        this.javaBinary = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        this.code = WorkerCode.of(command);
        this.sharedArchive = sharedArchive && Runtime.version().feature() >= 19 && code.jarsOnly();
        String key = Integer.toHexString((System.getProperty("java.home") + File.pathSeparator + code.path()).hashCode());
        // One archive per JDK and code path: a changed class or module path must not fight over one file.
        this.archive = this.workDir.resolve("worker-" + key + ".jsa");
    }

    /** Starts a worker for the named model and waits for its handshake. */
    WorkerProcess start(String modelName) {
        int id = sequence.incrementAndGet();
        Path dir = workDir.resolve("workers").resolve(safeName(modelName) + "-" + ProcessHandle.current().pid() + "-" + id);
        try {
            Files.createDirectories(dir.resolve("tmp"));
        } catch (IOException e) {
            throw new EngineFailureException("cannot create the working folder of model '" + modelName + "'", e);
        }
        List<String> line = new ArrayList<>();
        line.add(javaBinary);
        line.addAll(jvmFlags(dir));
        line.addAll(command.jvmFlags().apply(dir.resolve("tmp")));
        line.addAll(code.arguments());
        // The JVM writes a missing archive when it exits, so that worker's stop must wait for its exit.
        boolean writesArchive = sharedArchive && !Files.exists(archive);
        return WorkerProcess.start(modelName, line, dir, socketDir(), writesArchive);
    }

    /**
     * The JVM flags of every worker, chosen for a fast start: a worker loads few classes and lives
     * as long as its model, so the C1 compiler, the serial collector and a small heap suit it.
     */
    List<String> jvmFlags(Path dir) {
        List<String> flags = new ArrayList<>(List.of(
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-Xshare:auto",
                "-Xms8m",
                "-Xmx256m",
                "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"),
                "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-Dstdout.encoding=UTF-8",
                "-Dstderr.encoding=UTF-8"));
        if (sharedArchive) {
            // CDS archives classes from jars only (with a class folder the dump fails at every exit), so
            // sharedArchive is off unless the class path is all jars.
            flags.add("-XX:+AutoCreateSharedArchive");
            flags.add("-XX:SharedArchiveFile=" + archive);
            flags.add("-Xlog:cds=off");
            flags.add("-Xlog:cds+dynamic=off");
        }
        return flags;
    }

    /** A fresh private folder for the socket, short enough for the socket path limit. */
    private Path socketDir() {
        try {
            Path preferred = workDir.resolve("sockets");
            // createTempDirectory appends up to 20 digits to the prefix.
            String longest = preferred.resolve("s" + "9".repeat(20)).resolve(WorkerProcess.SOCKET_NAME).toString();
            if (longest.getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
                Files.createDirectories(preferred);
                return Files.createTempDirectory(preferred, "s");
            }
            return Files.createTempDirectory(Path.of("/tmp"), "cerebrum-");
        } catch (IOException e) {
            throw new EngineFailureException("cannot create a socket folder for a model worker", e);
        }
    }

    private static String safeName(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.length() > 40 ? safe.substring(0, 40) : safe;
    }
}
