package dev.cerebrum.gguf;

import dev.cerebrum.engine.InvalidModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufReaderTest {

    private static final long[] ROW = {32};

    @TempDir
    Path dir;

    /** Writes {@code bytes} as hostile.gguf, reads it, and returns the message of the InvalidModelException. */
    private String rejection(byte[] bytes) throws IOException {
        Path file = dir.resolve("hostile.gguf");
        Files.write(file, bytes);
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> GgufReader.read(file));
        assertSafe(e.getMessage(), "hostile.gguf");
        return e.getMessage();
    }

    private static void assertSafe(String message, String fileName) {
        assertTrue(message.contains(fileName), () -> "names the file: " + message);
        assertFalse(message.contains("/"), () -> "no path in: " + message);
    }

    @Test
    void badMagic_isRejected() throws IOException {
        byte[] bytes = HostileGguf.header(0, 0).bytes();
        bytes[0] = 'X';
        assertTrue(rejection(bytes).contains("bad magic"));
    }

    @Test
    void emptyFile_isRejected() throws IOException {
        assertTrue(rejection(new byte[0]).contains("not a GGUF file"));
    }

    @Test
    void unsupportedVersions_areRejected() throws IOException {
        for (long version : new long[]{0, 1, 4, 0x0300_0000L}) {
            HostileGguf g = new HostileGguf().raw("GGUF".getBytes()).u32(version).u64(0).u64(0);
            assertTrue(rejection(g.bytes()).contains("unsupported GGUF version " + version));
        }
    }

    @Test
    void absurdTensorCount_isRejected() throws IOException {
        assertTrue(rejection(HostileGguf.header(Long.MAX_VALUE, 0).bytes()).contains("tensor count"));
        assertTrue(rejection(HostileGguf.header(-1, 0).bytes()).contains("tensor count 18446744073709551615"));
        assertTrue(rejection(HostileGguf.header(1000, 0).zeros(64).bytes()).contains("tensor count"));
    }

    @Test
    void absurdMetadataCount_isRejected() throws IOException {
        assertTrue(rejection(HostileGguf.header(0, 1L << 40).bytes()).contains("metadata count"));
        assertTrue(rejection(HostileGguf.header(0, 100).zeros(100).bytes()).contains("metadata count"));
    }

    @Test
    void keyLengthBeyondTheFile_isRejected() throws IOException {
        byte[] bytes = HostileGguf.header(0, 1).u64(1L << 40).zeros(16).bytes();
        assertTrue(rejection(bytes).contains("exceeds the rest of the file"));
    }

    @Test
    void stringValueLengthBeyondTheFile_isRejected() throws IOException {
        byte[] bytes = HostileGguf.header(0, 1).str("k").u32(GgufValueType.STRING.id()).u64(Long.MAX_VALUE).zeros(8).bytes();
        assertTrue(rejection(bytes).contains("exceeds the rest of the file"));
    }

    @Test
    void arrayCountOf2Pow60_failsWithoutAllocating() throws IOException {
        for (GgufValueType element : GgufValueType.values()) {
            byte[] bytes = HostileGguf.header(0, 1).str("tokenizer.ggml.tokens").u32(GgufValueType.ARRAY.id())
                    .u32(element.id()).u64(1L << 60).zeros(64).bytes();
            assertTrue(rejection(bytes).contains("more than the rest of the file could hold"), element::name);
        }
    }

    @Test
    void arraysBeyondTheElementBudget_areRejected() throws IOException {
        // 9 million one-byte elements fit in the file but exceed the 8 Mi elements metadata may hold
        int count = 9_000_000;
        byte[] bytes = HostileGguf.header(0, 1).str("big").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.UINT8.id()).u64(count).zeros(count).bytes();
        assertTrue(rejection(bytes).contains("metadata arrays may hold"));
    }

    @Test
    void unknownValueType_isRejected() throws IOException {
        assertTrue(rejection(HostileGguf.header(0, 1).str("k").u32(13).zeros(8).bytes())
                .contains("unknown metadata value type 13"));
        assertTrue(rejection(HostileGguf.header(0, 1).str("k").u32(GgufValueType.ARRAY.id()).u32(99).u64(1).zeros(8).bytes())
                .contains("unknown array element type 99"));
    }

    @Test
    void arraysNestedTooDeep_areRejected() throws IOException {
        HostileGguf g = HostileGguf.header(0, 1).str("deep").u32(GgufValueType.ARRAY.id());
        for (int i = 0; i < 3; i++) {
            g.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        g.u32(GgufValueType.UINT8.id()).u64(1).u8(0);
        assertTrue(rejection(g.bytes()).contains("nests arrays deeper"));
    }

    @Test
    void invalidBoolean_isRejected() throws IOException {
        assertTrue(rejection(HostileGguf.header(0, 1).str("b").u32(GgufValueType.BOOL.id()).u8(2).bytes())
                .contains("boolean byte of 2"));
    }

    @Test
    void duplicateKey_isRejected() throws IOException {
        assertTrue(rejection(HostileGguf.header(0, 2).kvU32("a", 1).kvU32("a", 2).bytes()).contains("duplicate metadata key 'a'"));
    }

    @Test
    void alignmentThatIsNotAPowerOfTwo_isRejected() throws IOException {
        assertTrue(rejection(HostileGguf.header(0, 1).kvU32("general.alignment", 48).bytes()).contains("general.alignment"));
        assertTrue(rejection(HostileGguf.header(0, 1).kvU32("general.alignment", 0).bytes()).contains("general.alignment"));
    }

    @Test
    void dimsThatOverflow_areRejected() throws IOException {
        byte[] bytes = HostileGguf.header(1, 0).tensor("t", new long[]{1L << 32, 1L << 32}, GgmlType.F32, 0).align().bytes();
        assertTrue(rejection(bytes).contains("dims overflow"));
        byte[] bytes2 = HostileGguf.header(1, 0).tensor("t", new long[]{1L << 31, 1L << 31}, GgmlType.F32, 0).align().bytes();
        assertTrue(rejection(bytes2).contains("dims overflow") || rejection(bytes2).contains("beyond the end"));
        byte[] negative = HostileGguf.header(1, 0).tensor("t", new long[]{-32}, GgmlType.F32, 0).align().bytes();
        assertTrue(rejection(negative).contains("negative or huge dimension"));
    }

    @Test
    void badDimensionCounts_areRejected() throws IOException {
        assertTrue(rejection(HostileGguf.header(1, 0).tensor("t", new long[]{}, GgmlType.F32, 0).zeros(64).bytes()).contains("has 0 dims"));
        assertTrue(rejection(HostileGguf.header(1, 0).tensor("t", new long[]{32, 1, 1, 1, 1}, GgmlType.F32, 0).zeros(256).bytes())
                .contains("has 5 dims"));
    }

    @Test
    void unknownTensorType_isRejected() throws IOException {
        byte[] bytes = HostileGguf.header(1, 0).str("t").u32(1).u64(32).u32(4).u64(0).align().zeros(128).bytes();
        assertTrue(rejection(bytes).contains("unknown ggml type 4"));
    }

    @Test
    void rowNotAMultipleOfTheBlock_isRejected() throws IOException {
        byte[] bytes = HostileGguf.header(1, 0).tensor("t", new long[]{33}, GgmlType.Q8_0, 0).align().zeros(64).bytes();
        assertTrue(rejection(bytes).contains("block size 32"));
    }

    @Test
    void tensorDataBeyondTheEndOfTheFile_isRejected() throws IOException {
        byte[] bytes = HostileGguf.header(1, 0).tensor("t", new long[]{32, 4}, GgmlType.F32, 0).align().zeros(511).bytes();
        assertTrue(rejection(bytes).contains("beyond the end of the file"));
        byte[] farOffset = HostileGguf.header(1, 0).tensor("t", ROW, GgmlType.F32, 1L << 62).align().zeros(128).bytes();
        assertTrue(rejection(farOffset).contains("beyond the end of the file"));
    }

    @Test
    void unalignedOffset_isRejected() throws IOException {
        byte[] bytes = HostileGguf.header(1, 0).tensor("t", ROW, GgmlType.F32, 4).align().zeros(256).bytes();
        assertTrue(rejection(bytes).contains("not aligned to 32"));
    }

    @Test
    void overlappingTensors_areRejected() throws IOException {
        byte[] bytes = HostileGguf.header(2, 0).tensor("a", new long[]{64}, GgmlType.F32, 0)
                .tensor("b", ROW, GgmlType.F32, 128).align().zeros(512).bytes();
        assertTrue(rejection(bytes).contains("overlaps"));
    }

    @Test
    void duplicateAndOverlongTensorNames_areRejected() throws IOException {
        byte[] dup = HostileGguf.header(2, 0).tensor("a", ROW, GgmlType.F32, 0)
                .tensor("a", ROW, GgmlType.F32, 128).align().zeros(256).bytes();
        assertTrue(rejection(dup).contains("duplicate tensor 'a'"));
        byte[] longName = HostileGguf.header(1, 0).tensor("x".repeat(64), ROW, GgmlType.F32, 0).align().zeros(128).bytes();
        assertTrue(rejection(longName).contains("tensor name length 64 exceeds the limit"));
    }

    @Test
    void namesFromTheFile_areShownWithoutPathsOrControlCharacters() throws IOException {
        String message = rejection(HostileGguf.header(0, 2).kvU32("/etc/passwd\n", 1).kvU32("/etc/passwd\n", 2).bytes());
        assertTrue(message.contains("'?etc?passwd?'"), message);
    }

    @Test
    void everyTruncationOfAValidFile_isRejected() throws IOException {
        // given a valid model file
        Path file = dir.resolve("cut.gguf");
        SuccessorModel.write(file);
        GgufFile gguf = GgufReader.read(file);
        long dataEnd = gguf.dataOffset() + gguf.tensors().stream().mapToLong(t -> t.offset() + t.byteSize()).max().orElseThrow();

        // when it is cut anywhere before the end of its last tensor (densely in the header), then reading fails cleanly
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            for (long len = dataEnd - 1; len >= 0; len -= len > gguf.dataOffset() ? 997 : len > 512 ? 7 : 1) {
                raf.setLength(len);
                InvalidModelException e = assertThrows(InvalidModelException.class, () -> GgufReader.read(file));
                assertTrue(e.getMessage().startsWith("cut.gguf: "), e.getMessage());
                assertFalse(e.getMessage().contains("/"), e.getMessage());
            }
        }
    }

    @Test
    void missingFileAndDirectory_areRejectedByName() throws IOException {
        InvalidModelException missing = assertThrows(InvalidModelException.class, () -> GgufReader.read(dir.resolve("nope.gguf")));
        assertEquals("model file not found: nope.gguf", missing.getMessage());
        Path sub = Files.createDirectory(dir.resolve("folder.gguf"));
        InvalidModelException folder = assertThrows(InvalidModelException.class, () -> GgufReader.read(sub));
        assertEquals("not a regular file: folder.gguf", folder.getMessage());
    }

    @Test
    void fileWithoutTensors_isValid() throws IOException {
        Path file = dir.resolve("empty-model.gguf");
        Files.write(file, HostileGguf.header(0, 1).kvU32("general.alignment", 64).bytes());
        GgufFile gguf = GgufReader.read(file);
        assertEquals(64, gguf.alignment());
        assertEquals(0, gguf.tensorBytes());
        assertEquals(64, gguf.dataOffset());
    }
}
