package dev.cerebrum.gguf.testing;

import dev.cerebrum.gguf.ModelShape.Architecture;
import dev.cerebrum.gguf.SuccessorModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** GGUF models for tests, generated once per JVM into a temporary folder that is deleted on exit. */
public final class TestModels {

    private static final Map<Architecture, Path> SUCCESSORS = new ConcurrentHashMap<>();

    private TestModels() {
    }

    /** The llama successor model of {@link SuccessorModel}: "abc" continues "defghijk…", "w" gives "xyz" then end of sequence. */
    public static Path successor() {
        return successor(Architecture.LLAMA);
    }

    /**
     * The successor model of {@code architecture} (llama, qwen3 or qwen3moe): the same known answers, "abc"
     * continues "defghijk…" and "w" gives "xyz" then end of generation.
     */
    public static Path successor(Architecture architecture) {
        return SUCCESSORS.computeIfAbsent(architecture, a -> {
            Path file = Folder.DIR.resolve("successor-" + a.ggufName() + ".gguf");
            SuccessorModel.write(file, a);
            file.toFile().deleteOnExit();
            return file;
        });
    }

    /**
     * The chat model of {@link SuccessorModel#writeChatMl}: llama, SentencePiece plus the ChatML control tokens,
     * EOS {@code </s>}, the ChatML template; a ChatML conversation is answered
     * {@value SuccessorModel#CHAT_ANSWER}, and the turn ends at {@code <|im_end|>}.
     */
    public static Path chatMl() {
        return ChatMl.FILE;
    }

    /**
     * The chat model claiming a trained context of 32768 tokens, so that a slot of up to 131072 tokens can hold a
     * generation that keeps it busy for many seconds (with a grammar that never lets it end).
     */
    public static Path chatMlLongContext() {
        return ChatMl.LONG;
    }

    private static final class ChatMl {
        static final Path FILE = create("successor-chatml.gguf", 512);
        static final Path LONG = create("successor-chatml-long.gguf", 32768);

        private static Path create(String name, int context) {
            Path file = Folder.DIR.resolve(name);
            SuccessorModel.writeChatMl(file, context);
            file.toFile().deleteOnExit();
            return file;
        }
    }

    /**
     * The llama successor model with 😀 after "c", in its four byte tokens {@code <0xF0><0x9F><0x98><0x80>}:
     * "abc" continues "😀defg…", so a limit of one to three tokens cuts the character.
     */
    public static Path successorWithEmoji() {
        return SuccessorWithEmoji.FILE;
    }

    private static final class SuccessorWithEmoji {
        static final Path FILE = create();

        private static Path create() {
            Path file = Folder.DIR.resolve("successor-emoji.gguf");
            SuccessorModel.writeWithCharacter(file, 'c', "\uD83D\uDE00");
            file.toFile().deleteOnExit();
            return file;
        }
    }

    /** The holder idiom makes the first call create the folder once, thread-safely. */
    private static final class Folder {
        static final Path DIR = create();

        private static Path create() {
            try {
                Path dir = Files.createTempDirectory("cerebrum-test-models");
                // deleteOnExit runs in reverse order of registration: the files first, then their folder.
                dir.toFile().deleteOnExit();
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
