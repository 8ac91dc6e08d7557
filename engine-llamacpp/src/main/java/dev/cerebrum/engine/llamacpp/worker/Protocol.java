package dev.cerebrum.engine.llamacpp.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The binary framing between the engine and a worker: each message is a one-byte type and
 * fields written with {@link java.io.DataOutput}. Public only so the engine package can share
 * it; the package is not exported.
 */
public final class Protocol {
    /** Bumped whenever a message changes; the handshake refuses a mismatch. */
    public static final int VERSION = 1;

    // worker -> engine
    /** int version, long pid. */
    public static final byte HELLO = 1;
    /** long loadMillis, long warmupMillis. */
    public static final byte LOADED = 2;
    /** byte kind (LOAD_INVALID_MODEL or LOAD_FAILED), UTF message. */
    public static final byte LOAD_ERROR = 3;
    /** int generationId, bytes text (may be empty): one non-final output of the native iterator. */
    public static final byte PIECE = 4;
    /**
     * int generationId, byte outcome, int outputs (non-final outputs seen), int textTokens (outputs up to
     * the last one that carried text), bool lastEmpty (the last output carried no text), UTF message.
     */
    public static final byte END = 5;
    /** int requestId, int tokens (negative: failed), UTF message. */
    public static final byte COUNTED = 6;

    // engine -> worker
    /** UTF path, int ctx, int threads, int batchThreads, int parallel, int batchSize, long seed, bool nativeLog. */
    public static final byte LOAD = 20;
    /**
     * int generationId, bytes prompt, int nPredict, float temperature, float topP, int topK,
     * float minP, float repeatPenalty, int stopCount + bytes each, bool hasSeed + int seed,
     * bool hasGrammar + bytes grammar, bool ignoreEos.
     */
    public static final byte GENERATE = 21;
    /** int generationId. */
    public static final byte CANCEL = 22;
    /** int requestId, bytes text. */
    public static final byte COUNT = 23;
    /** No fields: the worker halts at once. */
    public static final byte SHUTDOWN = 24;

    /** LOAD_ERROR kind: the file is not a model llama.cpp can load. */
    public static final byte LOAD_INVALID_MODEL = 1;
    /** LOAD_ERROR kind: anything else. */
    public static final byte LOAD_FAILED = 2;

    /** END outcome: the native task ended by itself (end of sequence, stop string, limit). */
    public static final byte OUTCOME_COMPLETED = 1;
    /** END outcome: ended because the engine cancelled it. */
    public static final byte OUTCOME_CANCELLED = 2;
    /** END outcome: native code reported an error; the message says which. */
    public static final byte OUTCOME_FAILED = 3;
    /** END outcome: the slot's context is full (context shift is off, so this ends the generation). */
    public static final byte OUTCOME_CONTEXT_FULL = 4;

    private Protocol() {
    }

    /** Writes a length-prefixed UTF-8 string (no 64 KiB limit, unlike writeUTF). */
    public static void writeBytes(java.io.DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** Reads what {@link #writeBytes} wrote, refusing an absurd length. */
    public static String readBytes(java.io.DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > (64 << 20)) {
            throw new IOException("frame too large: " + length);
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new java.io.EOFException();
        }
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * An input stream over a blocking socket channel. {@code Channels.newInputStream} locks the
     * channel's blocking lock, so a reader blocked in it would stall every writer; this does not.
     */
    public static InputStream input(SocketChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n;
                do {
                    n = channel.read(ByteBuffer.wrap(b, off, len));
                } while (n == 0);
                return n;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** An output stream over a blocking socket channel; see {@link #input}. */
    public static OutputStream output(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
