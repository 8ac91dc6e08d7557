package dev.cerebrum.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;

import java.io.ByteArrayOutputStream;

/**
 * A connection's writer that can gather what a block of code writes and send it in one socket write at the
 * block's end. Helidon sends a chunked response's headers and its first chunk in two writes, and on loopback the
 * first one wakes the client between them: a few tenths of a millisecond before a stream's first token. Used only
 * by the thread that handles the connection's request, like the writer it wraps.
 */
final class GatheringWriter implements DataWriter {
    /** Writes to run, which may fail with {@code E}. */
    @FunctionalInterface
    interface Writes<E extends Exception> {
        void run() throws E;
    }

    private final DataWriter socket;
    /** What the current block wrote so far; null outside a block. */
    private ByteArrayOutputStream gathered;

    GatheringWriter(DataWriter socket) {
        this.socket = socket;
    }

    /**
     * Runs {@code writes} and sends what they wrote in one write when they end, also when they fail. Blocks do not
     * nest: an inner block's writes go out with the outer one's.
     */
    <E extends Exception> void inOneWrite(Writes<E> writes) throws E {
        if (gathered != null) {
            writes.run();
            return;
        }
        // Not BufferData.growing: in Helidon 4.5.0 it loses what write(BufferData) put in it when it grows.
        gathered = new ByteArrayOutputStream(1024);
        try {
            writes.run();
        } finally {
            byte[] all = gathered.toByteArray();
            gathered = null;
            if (all.length > 0) {
                socket.write(BufferData.create(all));
            }
        }
    }

    @Override
    public void write(BufferData... buffers) {
        if (!gather(buffers)) {
            socket.write(buffers);
        }
    }

    @Override
    public void write(BufferData buffer) {
        if (!gather(buffer)) {
            socket.write(buffer);
        }
    }

    @Override
    public void writeNow(BufferData... buffers) {
        if (!gather(buffers)) {
            socket.writeNow(buffers);
        }
    }

    @Override
    public void writeNow(BufferData buffer) {
        if (!gather(buffer)) {
            socket.writeNow(buffer);
        }
    }

    /** Adds the buffers to the running block's write; false when no block runs. */
    private boolean gather(BufferData... buffers) {
        if (gathered == null) {
            return false;
        }
        for (BufferData buffer : buffers) {
            buffer.writeTo(gathered);
        }
        return true;
    }

    @Override
    public void flush() {
        socket.flush();
    }

    @Override
    public void close() {
        socket.close();
    }
}
