package dev.cerebrum.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;

/**
 * A connection's writer that can gather what a block of code writes and send it in one socket write at the
 * block's end. Helidon sends a chunked response's headers and its first chunk in two writes, and on loopback the
 * first one wakes the client between them: a few tenths of a millisecond before a stream's first token. Used only
 * by the thread that handles the connection's request, like the writer it wraps.
 */
final class GatheringWriter implements DataWriter {
    /** Something to run that may fail with an I/O error. */
    @FunctionalInterface
    interface Writes<E extends Exception> {
        void run() throws E;
    }

    private final DataWriter socket;
    /** What the current block wrote so far; null outside a block. */
    private BufferData gathered;

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
        gathered = BufferData.growing(512);
        try {
            writes.run();
        } finally {
            BufferData all = gathered;
            gathered = null;
            if (all.available() > 0) {
                socket.write(all);
            }
        }
    }

    @Override
    public void write(BufferData... buffers) {
        if (gathered == null) {
            socket.write(buffers);
        } else {
            for (BufferData buffer : buffers) {
                gathered.write(buffer);
            }
        }
    }

    @Override
    public void write(BufferData buffer) {
        if (gathered == null) {
            socket.write(buffer);
        } else {
            gathered.write(buffer);
        }
    }

    @Override
    public void writeNow(BufferData... buffers) {
        if (gathered == null) {
            socket.writeNow(buffers);
        } else {
            for (BufferData buffer : buffers) {
                gathered.write(buffer);
            }
        }
    }

    @Override
    public void writeNow(BufferData buffer) {
        if (gathered == null) {
            socket.writeNow(buffer);
        } else {
            gathered.write(buffer);
        }
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
