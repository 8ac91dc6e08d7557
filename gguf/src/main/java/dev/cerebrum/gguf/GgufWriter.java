package dev.cerebrum.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes GGUF v3 files: metadata of every value type and tensors encoded as F32, F16, Q4_0 or Q8_0.
 * Tensor data is streamed in bounded chunks, so files of gigabytes need little heap. The output is a
 * pure function of what was added, so equal input gives a byte-identical file.
 */
public final class GgufWriter {

    /** The data alignment written, the GGUF default. */
    public static final int ALIGNMENT = 32;

    static final int MAGIC = 0x46554747;
    static final int VERSION = 3;
    private static final int BUFFER_BYTES = 4 << 20;
    private static final int CHUNK_VALUES = 1 << 16;

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();

    private record PendingTensor(String name, GgmlType type, long[] dims, long elements, long bytes,
                                 TensorData values, RawTensorData raw) {
    }

    /** Adds a metadata entry; keys keep the order they were added in. */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (metadata.putIfAbsent(key, value) != null) {
            throw new IllegalArgumentException("duplicate metadata key " + key);
        }
        return this;
    }

    /** Adds a tensor with ggml dims (fastest-varying first) whose values are encoded as {@code type}. */
    public GgufWriter tensor(String name, GgmlType type, long[] dims, TensorData values) {
        Objects.requireNonNull(values, "values");
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.Q8_0 && type != GgmlType.Q4_0) {
            throw new IllegalArgumentException("the writer does not encode " + type);
        }
        return add(name, type, dims, values, null);
    }

    GgufWriter rawTensor(String name, GgmlType type, long[] dims, RawTensorData raw) {
        return add(name, type, dims, null, Objects.requireNonNull(raw, "raw"));
    }

    private GgufWriter add(String name, GgmlType type, long[] dims, TensorData values, RawTensorData raw) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.getBytes(StandardCharsets.UTF_8).length >= GgufReader.MAX_TENSOR_NAME) {
            throw new IllegalArgumentException("tensor name too long: " + name);
        }
        if (dims.length < 1 || dims.length > GgufReader.MAX_DIMS) {
            throw new IllegalArgumentException("a tensor has 1 to 4 dims, " + name + " has " + dims.length);
        }
        long elements = 1;
        for (long d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("dims of " + name + " must be positive");
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("dims[0] of " + name + " must be a multiple of " + type.blockSize() + " for " + type);
        }
        for (PendingTensor t : tensors) {
            if (t.name.equals(name)) {
                throw new IllegalArgumentException("duplicate tensor " + name);
            }
        }
        tensors.add(new PendingTensor(name, type, dims.clone(), elements, type.byteSize(elements), values, raw));
        return this;
    }

    /** Writes the file, replacing any file there only once it is complete. */
    public void write(Path file) {
        // A unique name, so concurrent writers of the same file never share a partial file.
        Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".part");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeTo(ch);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException(e);
        }
    }

    private void writeTo(FileChannel ch) throws IOException {
        Sink out = new Sink(ch);
        out.u32(MAGIC);
        out.u32(VERSION);
        out.u64(tensors.size());
        out.u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            out.string(e.getKey());
            out.u32(e.getValue().type().id());
            value(out, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            out.string(t.name);
            out.u32(t.dims.length);
            for (long d : t.dims) {
                out.u64(d);
            }
            out.u32(t.type.id());
            out.u64(offset);
            offset = align(offset + t.bytes);
        }
        out.pad();
        for (PendingTensor t : tensors) {
            if (t.raw != null) {
                writeRaw(out, t);
            } else {
                writeValues(out, t);
            }
            out.pad();
        }
        out.flush();
    }

    private static void value(Sink out, GgufValueType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.u8((int) (long) (Long) v);
            case UINT16, INT16 -> out.u16((int) (long) (Long) v);
            case UINT32, INT32 -> out.u32((int) (long) (Long) v);
            case UINT64, INT64 -> out.u64((Long) v);
            case FLOAT32 -> out.f32((Float) v);
            case FLOAT64 -> out.f64((Double) v);
            case BOOL -> out.u8((Boolean) v ? 1 : 0);
            case STRING -> out.string((String) v);
            case ARRAY -> {
                GgufArray a = (GgufArray) v;
                out.u32(a.elementType().id());
                out.u64(a.size());
                for (Object e : a.elements()) {
                    value(out, a.elementType(), e);
                }
            }
        }
    }

    private static void writeRaw(Sink out, PendingTensor t) throws IOException {
        int chunk = (BUFFER_BYTES / t.type.typeSize()) * t.type.typeSize();
        for (long done = 0; done < t.bytes; ) {
            int n = (int) Math.min(chunk, t.bytes - done);
            ByteBuffer dst = out.reserve(n);
            int start = dst.position();
            dst.limit(start + n);
            t.raw.fill(done, dst);
            dst.limit(dst.capacity());
            if (dst.position() - start != n) {
                throw new IllegalStateException("raw data of " + t.name + " gave " + (dst.position() - start) + " bytes, not " + n);
            }
            done += n;
        }
    }

    private static void writeValues(Sink out, PendingTensor t) throws IOException {
        float[] chunk = new float[(int) Math.min(CHUNK_VALUES, t.elements)];
        for (long done = 0; done < t.elements; ) {
            int n = (int) Math.min(chunk.length, t.elements - done);
            t.values.fill(done, chunk, n);
            ByteBuffer dst = out.reserve((int) t.type.byteSize(n));
            switch (t.type) {
                case F32 -> {
                    for (int i = 0; i < n; i++) {
                        dst.putFloat(chunk[i]);
                    }
                }
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        dst.putShort(Float.floatToFloat16(chunk[i]));
                    }
                }
                case Q8_0 -> Quantizer.q8_0(chunk, n, dst);
                case Q4_0 -> Quantizer.q4_0(chunk, n, dst);
                default -> throw new IllegalStateException("cannot encode " + t.type);
            }
            done += n;
        }
    }

    static long align(long offset) {
        return (offset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** A little-endian output buffer over a channel that tracks the absolute position for padding. */
    private static final class Sink {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private long flushed;

        Sink(FileChannel ch) {
            this.ch = ch;
        }

        ByteBuffer reserve(int n) throws IOException {
            if (n > buf.capacity()) {
                throw new IllegalArgumentException("chunk of " + n + " bytes exceeds the buffer");
            }
            if (buf.remaining() < n) {
                flush();
            }
            return buf;
        }

        void u8(int v) throws IOException {
            reserve(1).put((byte) v);
        }

        void u16(int v) throws IOException {
            reserve(2).putShort((short) v);
        }

        void u32(int v) throws IOException {
            reserve(4).putInt(v);
        }

        void u64(long v) throws IOException {
            reserve(8).putLong(v);
        }

        void f32(float v) throws IOException {
            reserve(4).putFloat(v);
        }

        void f64(double v) throws IOException {
            reserve(8).putDouble(v);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            for (int off = 0; off < b.length; ) {
                int n = Math.min(b.length - off, buf.capacity());
                reserve(n).put(b, off, n);
                off += n;
            }
        }

        void pad() throws IOException {
            long pos = flushed + buf.position();
            int n = (int) (align(pos) - pos);
            ByteBuffer b = reserve(n);
            for (int i = 0; i < n; i++) {
                b.put((byte) 0);
            }
        }

        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) {
                flushed += ch.write(buf);
            }
            buf.clear();
        }
    }
}
