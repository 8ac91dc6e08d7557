package dev.cerebrum.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void everyMetadataType_readsBackWithItsTypeAndValue() throws IOException {
        // given a file with one entry of every value type, in a chosen order
        GgufWriter w = new GgufWriter()
                .put("u8", GgufValue.uint8(255))
                .put("i8", GgufValue.int8(-128))
                .put("u16", GgufValue.uint16(65535))
                .put("i16", GgufValue.int16(-32768))
                .put("u32", GgufValue.uint32(4_294_967_295L))
                .put("i32", GgufValue.int32(Integer.MIN_VALUE))
                .put("f32", GgufValue.float32(1.5f))
                .put("bool", GgufValue.bool(true))
                .put("str", GgufValue.string("héllo ▁ wörld"))
                .put("u64", GgufValue.uint64(-1L))
                .put("i64", GgufValue.int64(Long.MIN_VALUE))
                .put("f64", GgufValue.float64(-2.25e300))
                .put("strs", GgufValue.strings(List.of("a", "", "▁b")))
                .put("floats", GgufValue.float32s(new float[]{0f, -1f, 3.25f}))
                .put("ints", GgufValue.int32s(new int[]{1, -2, 3}))
                .put("empty", GgufValue.array(new GgufArray(GgufValueType.UINT8, List.of())))
                .put("nested", GgufValue.array(new GgufArray(GgufValueType.ARRAY, List.of(
                        new GgufArray(GgufValueType.BOOL, List.of(true, false)),
                        new GgufArray(GgufValueType.UINT16, List.of(7L))))));
        Path file = dir.resolve("meta.gguf");

        // when it is written and read back
        w.write(file);
        GgufFile read = GgufReader.read(file);

        // then every entry comes back equal, in order, with its type
        assertEquals(List.of("u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "str", "u64", "i64", "f64",
                "strs", "floats", "ints", "empty", "nested"), List.copyOf(read.metadata().keySet()));
        assertEquals(GgufValue.uint8(255), read.metadata().get("u8"));
        assertEquals(GgufValue.int8(-128), read.metadata().get("i8"));
        assertEquals(GgufValue.uint16(65535), read.metadata().get("u16"));
        assertEquals(GgufValue.int16(-32768), read.metadata().get("i16"));
        assertEquals(GgufValue.uint32(4_294_967_295L), read.metadata().get("u32"));
        assertEquals(GgufValue.int32(Integer.MIN_VALUE), read.metadata().get("i32"));
        assertEquals(GgufValue.float32(1.5f), read.metadata().get("f32"));
        assertEquals(GgufValue.bool(true), read.metadata().get("bool"));
        assertEquals(GgufValue.string("héllo ▁ wörld"), read.metadata().get("str"));
        assertEquals(GgufValue.uint64(-1L), read.metadata().get("u64"));
        assertEquals(1.8446744073709552e19, read.metadata().get("u64").asDouble());
        assertEquals(GgufValue.int64(Long.MIN_VALUE), read.metadata().get("i64"));
        assertEquals(GgufValue.float64(-2.25e300), read.metadata().get("f64"));
        assertEquals(List.of("a", "", "▁b"), read.metadata().get("strs").asArray().elements());
        assertEquals(List.of(0f, -1f, 3.25f), read.metadata().get("floats").asArray().elements());
        assertEquals(new GgufArray(GgufValueType.INT32, List.of(1L, -2L, 3L)), read.metadata().get("ints").asArray());
        assertEquals(new GgufArray(GgufValueType.UINT8, List.of()), read.metadata().get("empty").asArray());
        assertEquals(new GgufArray(GgufValueType.ARRAY, List.of(
                new GgufArray(GgufValueType.BOOL, List.of(true, false)),
                new GgufArray(GgufValueType.UINT16, List.of(7L)))), read.metadata().get("nested").asArray());
        assertEquals(3, read.version());
        assertEquals(Files.size(file), read.fileSize());
    }

    @Test
    void metadataLargerThanTheReadBuffer_readsBackIntact() {
        // given strings and arrays that span many refills of the reader's 64 KiB buffer
        StringBuilder longText = new StringBuilder();
        for (int i = 0; longText.length() < 300_000; i++) {
            longText.append(i).append(i % 7 == 0 ? "▁" : " ");
        }
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            many.add("tok" + i);
        }
        Path file = dir.resolve("big-meta.gguf");
        new GgufWriter()
                .put("long", GgufValue.string(longText.toString()))
                .put("many", GgufValue.strings(many))
                .put("after", GgufValue.uint32(42))
                .tensor("t", GgmlType.F32, new long[]{32}, TensorData.constant(1f))
                .write(file);

        // when read back, then every byte is where it was written
        GgufFile read = GgufReader.read(file);
        assertEquals(longText.toString(), read.metadata().get("long").asString());
        assertEquals(many, read.metadata().get("many").asArray().elements());
        assertEquals(42, read.metadata().get("after").asLong());
        assertEquals(List.of(32L), read.tensors().get(0).dims());
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0"})
    void tensorOfEachType_readsBackWithShapeOffsetAndDecodedValues(GgmlType type) throws IOException {
        // given two tensors of values that quantise well, the first of an odd size so the second needs padding
        float[] values = new float[64 * 3];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 17 - 8) * 0.25f;
        }
        Path file = dir.resolve("t.gguf");
        new GgufWriter()
                .put("general.architecture", GgufValue.string("llama"))
                .tensor("first", type, new long[]{32}, TensorData.constant(0.5f))
                .tensor("second", type, new long[]{64, 3}, TensorData.of(values))
                .write(file);

        // when read back
        GgufFile read = GgufReader.read(file);

        // then the infos describe the data and the decoded values match within the type's precision
        GgufFile.TensorInfo first = read.tensors().get(0);
        GgufFile.TensorInfo second = read.tensors().get(1);
        assertEquals(List.of(32L), first.dims());
        assertEquals(List.of(64L, 3L), second.dims());
        assertEquals(type, second.type());
        assertEquals(type.byteSize(192), second.byteSize());
        assertEquals(0, first.offset());
        assertEquals(0, second.offset() % 32);
        assertTrue(second.offset() >= first.byteSize());
        assertEquals(0, read.dataOffset() % 32);
        assertEquals(first.byteSize() + second.byteSize(), read.tensorBytes());
        float[] decoded = Dequantizer.decode(file, read, second);
        float tolerance = switch (type) {
            case F32 -> 0f;
            case F16 -> 1e-3f;
            case Q8_0 -> 0.02f;
            default -> 0.26f; // one step: Q4_0 clips the largest value of the opposite sign to the max by a step
        };
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], decoded[i], tolerance, "value " + i);
        }
        assertArrayEquals(new float[32], minus(Dequantizer.decode(file, read, first), 0.5f), tolerance);
    }

    private static float[] minus(float[] v, float x) {
        float[] r = v.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] -= x;
        }
        return r;
    }

    /** An independent decoder of the written bytes, from the format description. */
    static final class Dequantizer {
        static float[] decode(Path file, GgufFile gguf, GgufFile.TensorInfo t) throws IOException {
            ByteBuffer b = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            try (FileChannel ch = FileChannel.open(file)) {
                ch.read(b, gguf.dataOffset() + t.offset());
            }
            b.flip();
            int n = (int) t.elementCount();
            float[] out = new float[n];
            switch (t.type()) {
                case F32 -> b.asFloatBuffer().get(out);
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.float16ToFloat(b.getShort());
                    }
                }
                case Q8_0 -> {
                    for (int blk = 0; blk < n; blk += 32) {
                        float d = Float.float16ToFloat(b.getShort());
                        for (int i = 0; i < 32; i++) {
                            out[blk + i] = b.get() * d;
                        }
                    }
                }
                case Q4_0 -> {
                    for (int blk = 0; blk < n; blk += 32) {
                        float d = Float.float16ToFloat(b.getShort());
                        for (int j = 0; j < 16; j++) {
                            int q = b.get() & 0xFF;
                            out[blk + j] = ((q & 0x0F) - 8) * d;
                            out[blk + 16 + j] = ((q >> 4) - 8) * d;
                        }
                    }
                }
                default -> throw new IllegalArgumentException(t.type().name());
            }
            return out;
        }
    }

}
