package dev.cerebrum.gguf.testing;

import dev.cerebrum.gguf.SuccessorModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** GGUF models for tests, generated once per JVM into a temporary folder that is deleted on exit. */
public final class TestModels {

    private TestModels() {
    }

    /** The successor model of {@link SuccessorModel}: "abc" continues "defghijk…", "w" gives "xyz" then end of sequence. */
    public static Path successor() {
        return Successor.FILE;
    }

    /**
     * The successor model with 😀 after "c", in its four byte tokens {@code <0xF0><0x9F><0x98><0x80>}:
     * "abc" continues "😀defg…", so a limit of one to three tokens cuts the character.
     */
    public static Path successorWithEmoji() {
        return SuccessorWithEmoji.FILE;
    }

    /** The holder idiom makes the first call write the file once, thread-safely. */
    private static final class Successor {
        static final Path FILE = create("successor.gguf", SuccessorModel::write);
    }

    private static final class SuccessorWithEmoji {
        static final Path FILE = create("successor-emoji.gguf", file -> SuccessorModel.writeWithCharacter(file, 'c', "\uD83D\uDE00"));
    }

    private static Path create(String name, Consumer<Path> writer) {
        try {
            Path dir = Files.createTempDirectory("cerebrum-test-models");
            Path file = dir.resolve(name);
            writer.accept(file);
            // deleteOnExit runs in reverse order of registration: the file first, then its folder.
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
