package dev.cerebrum.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The llama.cpp libraries the ffm engine (our server and the raw loop) ran on in a peer comparison.
 *
 * @param kind     what they are
 * @param folder   their folder
 * @param fallback why they are not the libraries that were asked for, or null when they are
 */
record PeerNatives(Kind kind, Path folder, String fallback) {

    /** What the libraries are. */
    enum Kind {
        /** The shared libraries the build script built beside llama-server: both servers run identical code. */
        SAME_BUILD("the same build as llama-server"),
        /** The prebuilt natives of the pinned npm package (CPU variants chosen at run time), as in production. */
        PREBUILT("the prebuilt natives"),
        /** A folder named with {@code --natives}. */
        GIVEN("the folder given with --natives");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        /** In words, for the report. */
        String text() {
            return text;
        }
    }

    PeerNatives {
        if (kind == null || folder == null) {
            throw new IllegalArgumentException("kind and folder are required");
        }
    }

    /**
     * The libraries to run on.
     *
     * @param choice     what the options asked for
     * @param natives    the folder of {@link PeerOptions#natives()}: the one given, or the prebuilt natives
     * @param peerBinary the llama-server binary, or null when there is none
     */
    static PeerNatives choose(PeerOptions.NativesChoice choice, Path natives, Path peerBinary) {
        return switch (choice) {
            case GIVEN -> new PeerNatives(Kind.GIVEN, natives, null);
            case PREBUILT -> new PeerNatives(Kind.PREBUILT, natives, null);
            case SAME_AS_PEER -> {
                if (peerBinary == null) {
                    yield new PeerNatives(Kind.PREBUILT, natives, "there is no llama-server build to share");
                }
                Path folder = peerBinary.toAbsolutePath().getParent();
                yield sharedBuild(folder) ? new PeerNatives(Kind.SAME_BUILD, folder, null)
                        : new PeerNatives(Kind.PREBUILT, natives, "the folder of " + peerBinary
                        + " holds no shared llama.cpp libraries (libllama.so, libggml.so): a static build");
            }
        };
    }

    /**
     * True when {@code folder} holds the libraries the ffm engine opens: {@code libllama} and {@code libggml}, as
     * {@code NAME.so} or {@code NAME.vX.Y.Z.so} (the names the engine looks for).
     */
    static boolean sharedBuild(Path folder) {
        if (folder == null || !Files.isDirectory(folder)) {
            return false;
        }
        try (Stream<Path> files = Files.list(folder)) {
            var names = files.map(f -> f.getFileName().toString()).toList();
            return names.stream().anyMatch(n -> library(n, "libllama")) && names.stream().anyMatch(n -> library(n, "libggml"));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean library(String file, String name) {
        return file.equals(name + ".so") || (file.startsWith(name + ".v") && file.endsWith(".so"));
    }

    /** One line for the report and the console. */
    String describe() {
        return kind.text() + " (`" + folder + "`)" + (fallback == null ? "" : "; not the same build as llama-server: "
                + fallback);
    }
}
