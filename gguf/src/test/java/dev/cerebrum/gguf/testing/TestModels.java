package dev.cerebrum.gguf.testing;

import dev.cerebrum.gguf.SuccessorModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** GGUF models for tests, generated once per JVM into a temporary folder that is deleted on exit. */
public final class TestModels {

    private TestModels() {
    }

    /** The successor model of {@link SuccessorModel}: "abc" continues "defghijk…", "w" gives "xyz" then end of sequence. */
    public static Path successor() {
        return Successor.FILE;
    }

    /** The holder idiom makes the first call write the file once, thread-safely. */
    private static final class Successor {
        static final Path FILE = create();

        private static Path create() {
            try {
                Path dir = Files.createTempDirectory("cerebrum-test-models");
                Path file = dir.resolve("successor.gguf");
                SuccessorModel.write(file);
                // deleteOnExit runs in reverse order of registration: the file first, then its folder.
                dir.toFile().deleteOnExit();
                file.toFile().deleteOnExit();
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
