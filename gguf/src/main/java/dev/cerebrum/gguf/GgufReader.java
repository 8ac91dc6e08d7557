package dev.cerebrum.gguf;

import dev.cerebrum.engine.InvalidModelException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the header, metadata and tensor infos of a GGUF v2/v3 file through a small buffer, never the
 * tensor data. Every count and length is checked against what the rest of the file could hold
 * before anything is allocated, so malformed, truncated or hostile files fail fast with an
 * {@link InvalidModelException} whose message names the file by its name only.
 */
public final class GgufReader {

    static final int MAX_TENSOR_NAME = 64;
    static final int MAX_DIMS = 4;
    static final long MAX_TENSORS = 1 << 20;
    static final long MAX_METADATA = 1 << 16;
    static final long MAX_ARRAY_ELEMENTS = 1 << 23;
    static final long MAX_STRING = 16 << 20;
    static final long MAX_KEY = 1 << 16;
    static final int MAX_ARRAY_DEPTH = 2;
    static final long MAX_ALIGNMENT = 1 << 20;
    private static final int BUFFER_BYTES = 64 << 10;
    private static final int MIN_TENSOR_INFO = 8 + 4 + 8 + 4 + 8;
    private static final int MIN_METADATA_ENTRY = 8 + 4 + 1;

    private GgufReader() {
    }

    /** Reads the file's header, metadata and tensor infos. */
    public static GgufFile read(Path file) {
        String name = String.valueOf(file.getFileName());
        if (!Files.exists(file)) {
            throw new InvalidModelException("model file not found: " + name);
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelException("not a regular file: " + name);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Parser(name, ch).parse();
        } catch (NoSuchFileException e) {
            throw new InvalidModelException("model file not found: " + name, e);
        } catch (AccessDeniedException e) {
            throw new InvalidModelException("model file not readable: " + name, e);
        } catch (EOFException e) {
            throw new InvalidModelException(name + ": truncated, the file ends inside its header or metadata", e);
        } catch (IOException e) {
            throw new InvalidModelException("cannot read model file " + name + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static final class Parser {
        private final String name;
        private final FileChannel ch;
        private final long size;
        private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private long bufStart;
        private long elementBudget = MAX_ARRAY_ELEMENTS;

        Parser(String name, FileChannel ch) throws IOException {
            this.name = name;
            this.ch = ch;
            this.size = ch.size();
            buf.limit(0);
        }

        GgufFile parse() throws IOException {
            if (size < 4) {
                throw invalid("not a GGUF file (too short)");
            }
            int magic = i32();
            if (magic != GgufWriter.MAGIC) {
                throw invalid("not a GGUF file (bad magic)");
            }
            if (size < 24) {
                throw invalid("truncated GGUF header");
            }
            long version = u32();
            if (version != 2 && version != 3) {
                throw invalid("unsupported GGUF version " + version + " (supported: 2, 3)");
            }
            long tensorCount = i64();
            long kvCount = i64();
            if (tensorCount < 0 || tensorCount > MAX_TENSORS || tensorCount > remaining() / MIN_TENSOR_INFO) {
                throw invalid("tensor count " + Long.toUnsignedString(tensorCount) + " is absurd for a file of " + size + " bytes");
            }
            if (kvCount < 0 || kvCount > MAX_METADATA || kvCount > remaining() / MIN_METADATA_ENTRY) {
                throw invalid("metadata count " + Long.toUnsignedString(kvCount) + " is absurd for a file of " + size + " bytes");
            }
            Map<String, GgufValue> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string(MAX_KEY, "metadata key");
                if (metadata.containsKey(key)) {
                    throw invalid("duplicate metadata key " + printable(key));
                }
                long typeId = u32();
                GgufValueType type = GgufValueType.byId(typeId);
                if (type == null) {
                    throw invalid("unknown metadata value type " + typeId + " for key " + printable(key));
                }
                metadata.put(key, new GgufValue(type, value(type, key, 0)));
            }
            int alignment = alignment(metadata.get("general.alignment"));
            List<GgufFile.TensorInfo> tensors = new ArrayList<>((int) tensorCount);
            Set<String> names = new HashSet<>();
            for (long i = 0; i < tensorCount; i++) {
                tensors.add(tensorInfo(alignment, names));
            }
            long dataOffset = (position() + alignment - 1) / alignment * alignment;
            long dataBytes = size - dataOffset;
            List<GgufFile.TensorInfo> byOffset = new ArrayList<>(tensors);
            byOffset.sort(Comparator.comparingLong(GgufFile.TensorInfo::offset));
            long end = 0;
            for (GgufFile.TensorInfo t : byOffset) {
                if (t.offset() < end) {
                    throw invalid("tensor " + printable(t.name()) + " overlaps the tensor before it");
                }
                if (t.byteSize() > dataBytes - t.offset()) {
                    throw invalid("tensor " + printable(t.name()) + " data lies beyond the end of the file (truncated?)");
                }
                end = t.offset() + t.byteSize();
            }
            return new GgufFile(name, (int) version, metadata, tensors, alignment, dataOffset, size);
        }

        private int alignment(GgufValue v) {
            if (v == null) {
                return GgufWriter.ALIGNMENT;
            }
            if (v.type() != GgufValueType.UINT32) {
                throw invalid("general.alignment must be a UINT32, is " + v.type());
            }
            long a = v.asLong();
            if (a < 1 || a > MAX_ALIGNMENT || Long.bitCount(a) != 1) {
                throw invalid("general.alignment " + a + " is not a power of two up to " + MAX_ALIGNMENT);
            }
            return (int) a;
        }

        private GgufFile.TensorInfo tensorInfo(int alignment, Set<String> names) throws IOException {
            String tensor = string(MAX_TENSOR_NAME - 1, "tensor name");
            if (!names.add(tensor)) {
                throw invalid("duplicate tensor " + printable(tensor));
            }
            long nDims = u32();
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw invalid("tensor " + printable(tensor) + " has " + nDims + " dims, expected 1 to " + MAX_DIMS);
            }
            List<Long> dims = new ArrayList<>((int) nDims);
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long dim = i64();
                if (dim < 0) {
                    throw invalid("tensor " + printable(tensor) + " has a negative or huge dimension");
                }
                try {
                    elements = Math.multiplyExact(elements, dim);
                } catch (ArithmeticException e) {
                    throw invalid("tensor " + printable(tensor) + " dims overflow");
                }
                dims.add(dim);
            }
            long typeId = u32();
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw invalid("tensor " + printable(tensor) + " has unknown ggml type " + typeId);
            }
            if (dims.get(0) % type.blockSize() != 0) {
                throw invalid("tensor " + printable(tensor) + " row of " + dims.get(0) + " is not a multiple of the "
                        + type + " block size " + type.blockSize());
            }
            long bytes;
            try {
                bytes = type.byteSize(elements);
            } catch (ArithmeticException e) {
                throw invalid("tensor " + printable(tensor) + " dims overflow");
            }
            long offset = i64();
            if (offset < 0) {
                throw invalid("tensor " + printable(tensor) + " has an offset beyond the end of the file");
            }
            if (offset % alignment != 0) {
                throw invalid("tensor " + printable(tensor) + " offset " + offset + " is not aligned to " + alignment);
            }
            return new GgufFile.TensorInfo(tensor, dims, type, offset, bytes);
        }

        private Object value(GgufValueType type, String key, int depth) throws IOException {
            return switch (type) {
                case UINT8 -> (long) (u8());
                case INT8 -> (long) (byte) u8();
                case UINT16 -> (long) (u16());
                case INT16 -> (long) (short) u16();
                case UINT32 -> u32();
                case INT32 -> (long) i32();
                case UINT64, INT64 -> i64();
                case FLOAT32 -> Float.intBitsToFloat(i32());
                case FLOAT64 -> Double.longBitsToDouble(i64());
                case BOOL -> {
                    int b = u8();
                    if (b > 1) {
                        throw invalid("metadata " + printable(key) + " has a boolean byte of " + b);
                    }
                    yield b == 1;
                }
                case STRING -> string(MAX_STRING, "string in " + printable(key));
                case ARRAY -> array(key, depth + 1);
            };
        }

        private GgufArray array(String key, int depth) throws IOException {
            if (depth > MAX_ARRAY_DEPTH) {
                throw invalid("metadata " + printable(key) + " nests arrays deeper than " + MAX_ARRAY_DEPTH);
            }
            long typeId = u32();
            GgufValueType type = GgufValueType.byId(typeId);
            if (type == null) {
                throw invalid("unknown array element type " + typeId + " in " + printable(key));
            }
            long count = i64();
            if (count < 0 || count > remaining() / type.minBytes()) {
                throw invalid("array " + printable(key) + " claims " + Long.toUnsignedString(count)
                        + " elements, more than the rest of the file could hold");
            }
            if (count > elementBudget) {
                throw invalid("array " + printable(key) + " has " + count + " elements; metadata arrays may hold "
                        + MAX_ARRAY_ELEMENTS + " elements in all");
            }
            elementBudget -= count;
            Object[] elements = new Object[(int) count];
            for (int i = 0; i < count; i++) {
                elements[i] = value(type, key, depth);
            }
            return new GgufArray(type, List.of(elements));
        }

        private String string(long max, String what) throws IOException {
            long len = i64();
            if (len < 0 || len > remaining()) {
                throw invalid(what + " length " + Long.toUnsignedString(len) + " exceeds the rest of the file");
            }
            if (len > max) {
                throw invalid(what + " length " + len + " exceeds the limit of " + max);
            }
            byte[] bytes = new byte[(int) len];
            for (int off = 0; off < len; ) {
                fill(1);
                int n = Math.min(buf.remaining(), (int) len - off);
                buf.get(bytes, off, n);
                off += n;
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private int u8() throws IOException {
            fill(1);
            return buf.get() & 0xFF;
        }

        private int u16() throws IOException {
            fill(2);
            return buf.getShort() & 0xFFFF;
        }

        private int i32() throws IOException {
            fill(4);
            return buf.getInt();
        }

        private long u32() throws IOException {
            return i32() & 0xFFFF_FFFFL;
        }

        private long i64() throws IOException {
            fill(8);
            return buf.getLong();
        }

        private long position() {
            return bufStart + buf.position();
        }

        private long remaining() {
            return size - position();
        }

        /** Makes at least {@code n} bytes available in the buffer, or fails at the end of the file. */
        private void fill(int n) throws IOException {
            if (buf.remaining() >= n) {
                return;
            }
            long pos = position();
            if (size - pos < n) {
                throw invalid("truncated: the file ends at byte " + size + " inside its header or metadata");
            }
            buf.compact();
            bufStart = pos;
            while (buf.position() < n) {
                int r = ch.read(buf, bufStart + buf.position());
                if (r < 0) {
                    throw new EOFException();
                }
            }
            buf.flip();
        }

        private InvalidModelException invalid(String message) {
            return new InvalidModelException(name + ": " + message);
        }
    }

    /** A file-supplied name made safe for a message: bounded, printable ASCII. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F && c != '/' && c != '\\' ? c : '?');
        }
        if (s.length() > 64) {
            b.append("...");
        }
        return b.append('\'').toString();
    }
}
