package dev.cerebrum.engine.ffm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * The pinned llama.cpp natives, as recorded in {@code natives/llama-natives.properties} (copied into the jar):
 * the npm package version and the llama.cpp source commit the struct layouts come from.
 *
 * @param version      the version of the {@code @node-llama-cpp/*} packages
 * @param sourceCommit the llama.cpp commit of the source bundle in {@code node-llama-cpp} of that version
 */
record NativesPin(String version, String sourceCommit) {

    private static final NativesPin PIN = load();

    /** The pin of this build. */
    static NativesPin get() {
        return PIN;
    }

    /** For messages: {@code @node-llama-cpp 3.22.1, llama.cpp de3ff815}. */
    String describe() {
        return "@node-llama-cpp " + version + ", llama.cpp " + sourceCommit.substring(0, Math.min(8, sourceCommit.length()));
    }

    /**
     * The folder {@code natives/fetch-natives.sh} fills on this machine:
     * {@code $CEREBRUM_LLAMA_CACHE/<version>/<platform>}, by default under {@code ~/.cache/cerebrum/llama.cpp}.
     */
    Path defaultFolder() {
        String cache = System.getenv("CEREBRUM_LLAMA_CACHE");
        Path root = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "cerebrum", "llama.cpp");
        return root.resolve(version).resolve(platform());
    }

    /** {@code linux-x64} or {@code linux-arm64}, as the npm packages name their folders. */
    static String platform() {
        return switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "aarch64", "arm64" -> "linux-arm64";
            default -> "linux-x64";
        };
    }

    private static NativesPin load() {
        Properties p = new Properties();
        try (InputStream in = NativesPin.class.getResourceAsStream("llama-natives.properties")) {
            if (in == null) {
                throw new IllegalStateException("llama-natives.properties is missing from the engine's jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new NativesPin(p.getProperty("version"), p.getProperty("source.commit"));
    }
}
