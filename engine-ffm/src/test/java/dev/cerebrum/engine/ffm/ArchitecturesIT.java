package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.gguf.GgufReader;
import dev.cerebrum.gguf.ModelShape.Architecture;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The architecture list agrees with the library: what it names loads, what it does not is refused by both. */
class ArchitecturesIT {

    @TempDir
    Path dir;

    @Test
    void everyArchitectureTheWriterMakes_isSupported_andLoads() {
        for (Architecture a : Architecture.values()) {
            Path file = TestModels.successor(a);
            String name = GgufReader.read(file).architecture();
            assertTrue(Architectures.supports(name), name);
            try (GenerationCore core = Cores.load(file, 512, 1, 512)) {
                assertEquals(name, core.architecture());
            }
        }
    }

    @Test
    void anUnknownArchitecture_isRefusedByTheCheck_andByLlamaCppItself() throws IOException {
        // given the llama successor model relabelled as architecture "qwen9"
        byte[] bytes = Files.readAllBytes(TestModels.successor());
        byte[] key = "general.architecture".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(bytes, key) + key.length + 4 + 8;
        assertEquals("llama", new String(bytes, at, 5, StandardCharsets.US_ASCII));
        System.arraycopy("qwen9".getBytes(StandardCharsets.US_ASCII), 0, bytes, at, 5);
        Path file = dir.resolve("qwen9.gguf");
        Files.write(file, bytes);
        assertEquals("qwen9", GgufReader.read(file).architecture());

        // then the check refuses it without loading anything, and llama.cpp would refuse it too
        assertFalse(Architectures.supports("qwen9"));
        assertThrows(InvalidModelException.class, () -> Architectures.requireSupported("qwen9"));
        try (NativeLogCapture log = new NativeLogCapture()) {
            assertThrows(InvalidModelException.class, () -> Cores.load(file, 512, 1, 512));
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("unknown model architecture: 'qwen9'")), log.lines().toString());
        }
    }

    private static int indexOf(byte[] data, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= data.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (data[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
