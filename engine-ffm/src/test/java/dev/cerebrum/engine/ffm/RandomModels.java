package dev.cerebrum.engine.ffm;

import dev.cerebrum.gguf.GgmlType;
import dev.cerebrum.gguf.ModelShape;
import dev.cerebrum.gguf.RandomModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small random-weight qwen3 model (attention matters in it), written once per JVM. */
final class RandomModels {

    private RandomModels() {
    }

    static Path qwen3() {
        return Holder.QWEN3;
    }

    private static final class Holder {
        static final Path QWEN3 = write();

        private static Path write() {
            try {
                Path dir = Files.createTempDirectory("cerebrum-random");
                Path file = dir.resolve("qwen3-random.gguf");
                RandomModel.write(file, ModelShape.qwen3(2, 128, 256, 4, 2, 64, 2000, 4096), GgmlType.F32, 11);
                dir.toFile().deleteOnExit();
                file.toFile().deleteOnExit();
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
