package dev.cerebrum.bench;

import dev.cerebrum.gguf.GgmlType;
import dev.cerebrum.gguf.GgufFile;
import dev.cerebrum.gguf.GgufReader;
import dev.cerebrum.gguf.ModelShape;
import dev.cerebrum.gguf.RandomModel;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The benchmark's model: TinyLlama-1.1B's shape with random Q4_0 weights (speed does not depend on the
 * values), generated once and reused. Q4_0: the type whose prompt speed the current llama.cpp's repacked kernels
 * change most, and the comparison of the engines.
 *
 * @param path            the file
 * @param bytes           its size
 * @param generated       true when this run wrote it
 * @param generateSeconds how long writing it took (0 when reused)
 * @param description     its shape and weights, in words
 */
record ModelFile(Path path, long bytes, boolean generated, double generateSeconds, String description) {

    static final long SEED = 42;
    static final String DESCRIPTION = "TinyLlama-1.1B shape (22 blocks, 2048 wide, n_ff 5632, 32 heads, 4 KV heads,"
            + " 32000 tokens), random Q4_0 weights";

    /** A model file the user chose, used as it is. */
    static ModelFile given(Path path) {
        Path file = path.toAbsolutePath().normalize();
        try {
            GgufFile gguf = GgufReader.read(file);
            String description = gguf.architecture() + ", " + gguf.blockCount() + " blocks, " + gguf.embeddingLength()
                    + " wide, n_ff " + gguf.feedForwardLength() + ", " + gguf.headCount() + " heads, " + gguf.headCountKv()
                    + " KV heads, " + gguf.vocabSize() + " tokens, " + gguf.fileType();
            return new ModelFile(file, Files.size(file), false, 0, description);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model " + file, e);
        }
    }

    /** Reuses the file when it is this model, otherwise writes it (through a temporary file, then a rename). */
    static ModelFile ensure(Path path, PrintStream log) {
        Path file = path.toAbsolutePath().normalize();
        try {
            if (Files.isRegularFile(file) && isTheModel(file)) {
                return new ModelFile(file, Files.size(file), false, 0, DESCRIPTION);
            }
            Files.createDirectories(file.getParent());
            long free = Files.getFileStore(file.getParent()).getUsableSpace();
            if (free < 1L << 30) {
                throw new IllegalStateException("the model needs about 0.6 GB but only " + (free >> 20)
                        + " MiB are free in " + file.getParent());
            }
            log.println("Writing the model (about 0.6 GB, once): " + file);
            long start = System.nanoTime();
            Path temp = file.resolveSibling(file.getFileName() + ".partial");
            RandomModel.write(temp, ModelShape.tinyLlama(), GgmlType.Q4_0, SEED);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new ModelFile(file, Files.size(file), true, seconds, DESCRIPTION);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model " + file, e);
        }
    }

    /** The file's quantisation, for example {@code Q4_0}, or "?" when it cannot be read. */
    String fileType() {
        try {
            return GgufReader.read(path).fileType();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static boolean isTheModel(Path file) {
        try {
            GgufFile gguf = GgufReader.read(file);
            ModelShape s = ModelShape.tinyLlama();
            return "llama".equals(gguf.architecture()) && gguf.blockCount() == s.blockCount()
                    && gguf.embeddingLength() == s.embeddingLength() && gguf.feedForwardLength() == s.feedForwardLength()
                    && gguf.headCount() == s.headCount() && gguf.headCountKv() == s.headCountKv()
                    && gguf.vocabSize() == s.vocabSize() && "Q4_0".equals(gguf.fileType())
                    && Files.size(file) >= gguf.tensorBytes();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
