package dev.cerebrum.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds GGUF bytes field by field, so tests can write files that the writer refuses to produce. */
final class HostileGguf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A header with magic, version 3 and the given counts. */
    static HostileGguf header(long tensors, long kvs) {
        return new HostileGguf().raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(tensors).u64(kvs);
    }

    HostileGguf raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    HostileGguf u8(int v) {
        out.write(v);
        return this;
    }

    HostileGguf u32(long v) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
    }

    HostileGguf u64(long v) {
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    HostileGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).raw(b);
    }

    /** A metadata entry holding a UINT32. */
    HostileGguf kvU32(String key, long v) {
        return str(key).u32(GgufValueType.UINT32.id()).u32(v);
    }

    /** A tensor info. */
    HostileGguf tensor(String name, long[] dims, GgmlType type, long offset) {
        str(name).u32(dims.length);
        for (long d : dims) {
            u64(d);
        }
        return u32(type.id()).u64(offset);
    }

    /** Zero bytes up to the next multiple of 32. */
    HostileGguf align() {
        while (out.size() % 32 != 0) {
            out.write(0);
        }
        return this;
    }

    HostileGguf zeros(int n) {
        return raw(new byte[n]);
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
