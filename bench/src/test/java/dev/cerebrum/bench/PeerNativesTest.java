package dev.cerebrum.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerNativesTest {

    private static Path file(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(name), "x");
    }

    @Test
    void sharedBuildBesideTheBinary_isWhatTheEngineRunsOn(@TempDir Path dir) throws Exception {
        Path build = dir.resolve("llama-server").resolve("3.22.1");
        Path binary = file(build, "llama-server");
        file(build, "libllama.so");
        file(build, "libggml.so");
        file(build, "libggml-base.so");
        file(build, "libggml-cpu.so");
        PeerNatives n = PeerNatives.choose(PeerOptions.NativesChoice.SAME_AS_PEER, dir.resolve("prebuilt"), binary);
        assertEquals(PeerNatives.Kind.SAME_BUILD, n.kind());
        assertEquals(build, n.folder());
        assertNull(n.fallback());
    }

    @Test
    void staticBinaryOrNoBinary_fallsBackToThePrebuiltNatives_sayingWhy(@TempDir Path dir) throws Exception {
        Path binary = file(dir.resolve("static"), "llama-server");
        Path prebuilt = dir.resolve("prebuilt");
        PeerNatives n = PeerNatives.choose(PeerOptions.NativesChoice.SAME_AS_PEER, prebuilt, binary);
        assertEquals(PeerNatives.Kind.PREBUILT, n.kind());
        assertEquals(prebuilt, n.folder());
        assertTrue(n.fallback().contains("holds no shared llama.cpp libraries"), n.fallback());
        PeerNatives none = PeerNatives.choose(PeerOptions.NativesChoice.SAME_AS_PEER, prebuilt, null);
        assertEquals(PeerNatives.Kind.PREBUILT, none.kind());
        assertEquals("there is no llama-server build to share", none.fallback());
    }

    @Test
    void prebuiltOrGiven_isUsedEvenBesideASharedBuild(@TempDir Path dir) throws Exception {
        Path binary = file(dir.resolve("build"), "llama-server");
        file(dir.resolve("build"), "libllama.so");
        file(dir.resolve("build"), "libggml.so");
        Path other = dir.resolve("other");
        assertEquals(new PeerNatives(PeerNatives.Kind.PREBUILT, other, null),
                PeerNatives.choose(PeerOptions.NativesChoice.PREBUILT, other, binary));
        assertEquals(new PeerNatives(PeerNatives.Kind.GIVEN, other, null),
                PeerNatives.choose(PeerOptions.NativesChoice.GIVEN, other, binary));
    }

    @Test
    void sharedBuild_wantsTheNamesTheEngineOpens(@TempDir Path dir) throws Exception {
        Path versioned = dir.resolve("versioned");
        file(versioned, "libllama.v0.5.0.so");
        file(versioned, "libggml.v0.5.0.so");
        assertTrue(PeerNatives.sharedBuild(versioned));
        Path partial = dir.resolve("partial");
        file(partial, "libllama.so");
        file(partial, "libggml-base.so");
        assertFalse(PeerNatives.sharedBuild(partial));
        assertFalse(PeerNatives.sharedBuild(dir.resolve("missing")));
    }
}
