package dev.cerebrum.engine.llamacpp;

import de.kherud.llama.LlamaModel;
import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.llamacpp.worker.WorkerMain;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts worker processes for one engine: the JVM command line, the class path and the native
 * library, which is extracted once per engine so that no worker runs the binding's own
 * extract-and-clean-up into a shared temp folder.
 */
final class WorkerLauncher {
    private static final System.Logger LOG = System.getLogger("cerebrum.engine.llamacpp");
    /** Unix domain socket paths are limited to 107 bytes on Linux; keep a margin. */
    private static final int MAX_SOCKET_PATH = 100;

    private final Path workDir;
    private final String javaBinary;
    private final String classPath;
    private final AtomicInteger sequence = new AtomicInteger();
    private Path nativeLibraryDir;
    private boolean nativeLibraryResolved;

    private final boolean sharedArchive;
    private final Path archive;

    WorkerLauncher(Path workDir, boolean sharedArchive) {
        this.workDir = workDir.toAbsolutePath();
        this.javaBinary = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        this.classPath = classPath();
        this.sharedArchive = sharedArchive && Runtime.version().feature() >= 19 && classPathIsJarsOnly();
        String key = Integer.toHexString((System.getProperty("java.home") + File.pathSeparator + classPath).hashCode());
        // One archive per JDK and class path: a changed class path must not fight over one file.
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
        Path libraryDir = nativeLibraryDir();
        List<String> command = new ArrayList<>();
        command.add(javaBinary);
        command.addAll(jvmFlags(dir, libraryDir));
        command.add("-cp");
        command.add(classPath);
        command.add(WorkerMain.class.getName());
        // The JVM writes a missing archive when it exits, so that worker's stop must wait for its exit.
        boolean writesArchive = sharedArchive && !Files.exists(archive);
        return WorkerProcess.start(modelName, command, dir, socketDir(), writesArchive);
    }

    /** The JVM flags for a worker; chosen for a fast start (see the engine's notes). */
    List<String> jvmFlags(Path dir, Path libraryDir) {
        List<String> flags = new ArrayList<>(List.of(
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-Xshare:auto",
                "-Xms8m",
                "-Xmx256m",
                // The binding calls System.load; without this every worker prints a warning (JDK 22+).
                "--enable-native-access=ALL-UNNAMED",
                "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"),
                "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-Dde.kherud.llama.tmpdir=" + dir.resolve("tmp"),
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
        if (libraryDir != null) {
            flags.add("-Dde.kherud.llama.lib.path=" + libraryDir);
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

    /** Extracts the binding's native library into the work dir once; null when none ships for this platform. */
    private synchronized Path nativeLibraryDir() {
        if (nativeLibraryResolved) {
            return nativeLibraryDir;
        }
        nativeLibraryResolved = true;
        String resource = nativeResource();
        if (resource == null) {
            return null;
        }
        try (InputStream in = LlamaModel.class.getResourceAsStream(resource)) {
            if (in == null) {
                LOG.log(System.Logger.Level.WARNING, "the llama binding has no native library at " + resource
                        + "; workers let the binding find one");
                return null;
            }
            byte[] bytes = in.readAllBytes();
            Path dir = workDir.resolve("native").resolve(Integer.toHexString(java.util.Arrays.hashCode(bytes)));
            Files.createDirectories(dir);
            Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
            if (!Files.exists(target) || Files.size(target) != bytes.length) {
                Path temp = Files.createTempFile(dir, "extract", ".tmp");
                Files.write(temp, bytes);
                // A rename never disturbs a worker that has the previous file mapped.
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            nativeLibraryDir = dir;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the llama.cpp native library", e);
        }
    }

    private static String nativeResource() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (arch == null) {
            return null;
        }
        if (os.contains("linux")) {
            return "/de/kherud/llama/Linux/" + arch + "/libjllama.so";
        }
        if (os.contains("mac")) {
            return "/de/kherud/llama/Mac/" + arch + "/libjllama.dylib";
        }
        return null;
    }

    private boolean classPathIsJarsOnly() {
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!Files.isRegularFile(Path.of(entry))) {
                return false;
            }
        }
        return true;
    }

    /** The worker needs only its own classes and the binding: their code-source locations, jar or folder. */
    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> type : List.of(WorkerMain.class, LlamaModel.class)) {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return System.getProperty("java.class.path");
            }
            try {
                entries.add(Path.of(source.getLocation().toURI()).toString());
            } catch (URISyntaxException | IllegalArgumentException e) {
                return System.getProperty("java.class.path");
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String safeName(String name) {
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.length() > 40 ? safe.substring(0, 40) : safe;
    }
}
