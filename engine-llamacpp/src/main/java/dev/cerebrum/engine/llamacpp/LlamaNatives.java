package dev.cerebrum.engine.llamacpp;

import de.kherud.llama.LlamaModel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The binding's native library, extracted once per engine into the work folder, and the JVM flags
 * that point a worker at it. Left to itself, the binding extracts into {@code java.io.tmpdir} and
 * then deletes every file there whose name starts with "llama", racing with other JVMs; each worker
 * also gets its own temp folder for whatever the binding still writes.
 */
final class LlamaNatives {
    private static final System.Logger LOG = System.getLogger("cerebrum.engine.llamacpp");

    private final Path workDir;
    private Path libraryDir;
    private boolean resolved;

    LlamaNatives(Path workDir) {
        this.workDir = workDir.toAbsolutePath();
    }

    /** The binding's JVM flags for a worker whose private temp folder is {@code tempDir}. */
    List<String> jvmFlags(Path tempDir) {
        List<String> flags = new ArrayList<>();
        flags.add("-Dde.kherud.llama.tmpdir=" + tempDir);
        Path dir = libraryDir();
        if (dir != null) {
            flags.add("-Dde.kherud.llama.lib.path=" + dir);
        }
        return flags;
    }

    /** Extracts the binding's native library once; null when none ships for this platform. */
    private synchronized Path libraryDir() {
        if (resolved) {
            return libraryDir;
        }
        resolved = true;
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
            Path dir = workDir.resolve("native").resolve(Integer.toHexString(Arrays.hashCode(bytes)));
            Files.createDirectories(dir);
            Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
            if (!Files.exists(target) || Files.size(target) != bytes.length) {
                Path temp = Files.createTempFile(dir, "extract", ".tmp");
                Files.write(temp, bytes);
                // A rename never disturbs a worker that has the previous file mapped.
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            libraryDir = dir;
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
}
