package dev.cerebrum.engine.worker.protocol;

import dev.cerebrum.engine.worker.protocol.WorkerMessage.Cancel;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Count;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.CountFailed;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Counted;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.End;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.FromWorker;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Generate;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Hello;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Load;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.LoadError;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Loaded;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Log;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Piece;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Ping;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Pong;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Progress;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Shutdown;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.ToWorker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes and reads every {@link WorkerMessage}; both ends of the socket use it. A frame is an int
 * length, then a one-byte type and the fields; strings are an int length and UTF-8 bytes. A frame
 * longer than {@link #MAX_FRAME_BYTES}, a truncated or over-long one, an unknown type or enum value
 * and malformed UTF-8 are refused with an {@link IOException}.
 *
 * <p>Writing is thread-safe (one frame at a time, flushed); reading is for one thread.
 */
public final class WorkerCodec {
    /** Bumped whenever a message changes; the handshake refuses a mismatch. */
    public static final int VERSION = 3;
    /** The largest frame either side writes or accepts. */
    public static final int MAX_FRAME_BYTES = 64 << 20;
    /** The largest first frame: a {@link Hello} is tiny, anything else there is another protocol. */
    private static final int MAX_HELLO_BYTES = 64;
    private static final int BUFFER_BYTES = 1 << 16;

    private static final byte HELLO = 1;
    private static final byte LOADED = 2;
    private static final byte LOAD_ERROR = 3;
    private static final byte PIECE = 4;
    private static final byte END = 5;
    private static final byte COUNTED = 6;
    private static final byte COUNT_FAILED = 7;
    private static final byte PONG = 8;
    private static final byte LOG = 9;
    private static final byte PROGRESS = 10;
    private static final byte LOAD = 20;
    private static final byte GENERATE = 21;
    private static final byte CANCEL = 22;
    private static final byte COUNT = 23;
    private static final byte PING = 24;
    private static final byte SHUTDOWN = 25;

    private final DataInputStream in;
    private final DataOutputStream out;

    /** A codec over two streams; they are buffered here. */
    public WorkerCodec(InputStream in, OutputStream out) {
        this.in = new DataInputStream(new BufferedInputStream(in, BUFFER_BYTES));
        this.out = new DataOutputStream(new BufferedOutputStream(out, BUFFER_BYTES));
    }

    /** A codec over a connected, blocking socket channel (see {@link ChannelStreams}). */
    public static WorkerCodec over(SocketChannel channel) {
        return new WorkerCodec(ChannelStreams.input(channel), ChannelStreams.output(channel));
    }

    /** Writes one message and flushes it. */
    public void write(WorkerMessage message) throws IOException {
        writeFrame(encode(message));
    }

    /** Writes a frame made by {@link #encode} and flushes it. */
    public void writeFrame(byte[] frame) throws IOException {
        synchronized (out) {
            out.writeInt(frame.length);
            out.write(frame);
            out.flush();
        }
    }

    /** Reads the next message for a worker; end of stream is an {@link java.io.EOFException}. */
    public ToWorker readToWorker() throws IOException {
        WorkerMessage message = decode(readFrame(MAX_FRAME_BYTES));
        if (message instanceof ToWorker toWorker) {
            return toWorker;
        }
        throw new IOException("a worker received a worker's message: " + message.getClass().getSimpleName());
    }

    /** Reads the next message for the engine; end of stream is an {@link java.io.EOFException}. */
    public FromWorker readFromWorker() throws IOException {
        WorkerMessage message = decode(readFrame(MAX_FRAME_BYTES));
        if (message instanceof FromWorker fromWorker) {
            return fromWorker;
        }
        throw new IOException("the engine received an engine's message: " + message.getClass().getSimpleName());
    }

    /** Reads the first message of a worker, which must be a small {@link Hello}. */
    public Hello readHello() throws IOException {
        if (decode(readFrame(MAX_HELLO_BYTES)) instanceof Hello hello) {
            return hello;
        }
        throw new IOException("the first message was not a hello");
    }

    private byte[] readFrame(int maxBytes) throws IOException {
        int length = in.readInt();
        if (length < 1 || length > maxBytes) {
            throw new IOException("invalid frame length " + length + " (at most " + maxBytes + ")");
        }
        byte[] frame = new byte[length];
        in.readFully(frame);
        return frame;
    }

    /**
     * The frame of a message, without its length prefix.
     *
     * @throws IllegalArgumentException when it is longer than {@link #MAX_FRAME_BYTES}
     */
    public static byte[] encode(WorkerMessage message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        DataOutputStream d = new DataOutputStream(bytes);
        try {
            switch (message) {
                case Hello m -> {
                    d.writeByte(HELLO);
                    d.writeInt(m.version());
                    d.writeLong(m.pid());
                }
                case Loaded m -> {
                    d.writeByte(LOADED);
                    d.writeLong(m.loadMillis());
                    d.writeLong(m.warmupMillis());
                }
                case LoadError m -> {
                    d.writeByte(LOAD_ERROR);
                    d.writeByte(m.kind().ordinal());
                    string(d, m.message());
                }
                case Piece m -> {
                    d.writeByte(PIECE);
                    d.writeInt(m.generationId());
                    string(d, m.text());
                    d.writeInt(m.completionTokens());
                }
                case Progress m -> {
                    d.writeByte(PROGRESS);
                    d.writeInt(m.generationId());
                }
                case End m -> {
                    d.writeByte(END);
                    d.writeInt(m.generationId());
                    d.writeByte(m.outcome().ordinal());
                    d.writeInt(m.completionTokens());
                    string(d, m.message());
                    d.writeInt(m.cachedTokens());
                }
                case Counted m -> {
                    d.writeByte(COUNTED);
                    d.writeInt(m.requestId());
                    d.writeInt(m.tokens());
                }
                case CountFailed m -> {
                    d.writeByte(COUNT_FAILED);
                    d.writeInt(m.requestId());
                    string(d, m.message());
                }
                case Pong m -> {
                    d.writeByte(PONG);
                    d.writeLong(m.sequence());
                }
                case Log m -> {
                    d.writeByte(LOG);
                    d.writeByte(m.level().ordinal());
                    string(d, m.text());
                }
                case Load m -> {
                    d.writeByte(LOAD);
                    string(d, m.modelPath());
                    d.writeInt(m.contextSize());
                    d.writeInt(m.threads());
                    d.writeInt(m.batchThreads());
                    d.writeInt(m.parallel());
                    d.writeInt(m.batchSize());
                    d.writeLong(m.seed());
                    d.writeInt(m.options().size());
                    for (Map.Entry<String, String> option : m.options().entrySet()) {
                        string(d, option.getKey());
                        string(d, option.getValue());
                    }
                }
                case Generate m -> {
                    d.writeByte(GENERATE);
                    d.writeInt(m.generationId());
                    string(d, m.prompt());
                    d.writeInt(m.maxTokens());
                    d.writeDouble(m.temperature());
                    d.writeDouble(m.topP());
                    d.writeInt(m.topK());
                    d.writeDouble(m.minP());
                    d.writeDouble(m.repeatPenalty());
                    d.writeInt(m.stop().size());
                    for (String stop : m.stop()) {
                        string(d, stop);
                    }
                    d.writeBoolean(m.seed() != null);
                    if (m.seed() != null) {
                        d.writeInt(m.seed());
                    }
                    d.writeBoolean(m.grammar() != null);
                    if (m.grammar() != null) {
                        string(d, m.grammar());
                    }
                    d.writeBoolean(m.ignoreEos());
                }
                case Cancel m -> {
                    d.writeByte(CANCEL);
                    d.writeInt(m.generationId());
                }
                case Count m -> {
                    d.writeByte(COUNT);
                    d.writeInt(m.requestId());
                    string(d, m.text());
                }
                case Ping m -> {
                    d.writeByte(PING);
                    d.writeLong(m.sequence());
                }
                case Shutdown m -> d.writeByte(SHUTDOWN);
            }
            d.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        if (bytes.size() > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("a " + message.getClass().getSimpleName() + " message of " + bytes.size()
                    + " bytes exceeds the frame limit of " + MAX_FRAME_BYTES);
        }
        return bytes.toByteArray();
    }

    /** The message of a frame made by {@link #encode}; anything else is refused. */
    public static WorkerMessage decode(byte[] frame) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(frame);
        WorkerMessage message;
        try {
            byte type = b.get();
            message = switch (type) {
                case HELLO -> new Hello(b.getInt(), b.getLong());
                case LOADED -> new Loaded(b.getLong(), b.getLong());
                case LOAD_ERROR -> new LoadError(constant(WorkerMessage.LoadErrorKind.values(), b.get()), string(b));
                case PIECE -> new Piece(b.getInt(), string(b), b.getInt());
                case PROGRESS -> new Progress(b.getInt());
                case END -> new End(b.getInt(), constant(WorkerMessage.Outcome.values(), b.get()), b.getInt(), string(b),
                        b.getInt());
                case COUNTED -> new Counted(b.getInt(), b.getInt());
                case COUNT_FAILED -> new CountFailed(b.getInt(), string(b));
                case PONG -> new Pong(b.getLong());
                case LOG -> new Log(constant(WorkerMessage.LogLevel.values(), b.get()), string(b));
                case LOAD -> load(b);
                case GENERATE -> generate(b);
                case CANCEL -> new Cancel(b.getInt());
                case COUNT -> new Count(b.getInt(), string(b));
                case PING -> new Ping(b.getLong());
                case SHUTDOWN -> new Shutdown();
                default -> throw new IOException("unknown message type " + type);
            };
        } catch (BufferUnderflowException e) {
            throw new IOException("truncated message", e);
        }
        if (b.hasRemaining()) {
            throw new IOException(b.remaining() + " unexpected bytes after a " + message.getClass().getSimpleName());
        }
        return message;
    }

    private static Load load(ByteBuffer b) throws IOException {
        String path = string(b);
        int contextSize = b.getInt();
        int threads = b.getInt();
        int batchThreads = b.getInt();
        int parallel = b.getInt();
        int batchSize = b.getInt();
        long seed = b.getLong();
        int count = count(b);
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            options.put(string(b), string(b));
        }
        return new Load(path, contextSize, threads, batchThreads, parallel, batchSize, seed, options);
    }

    private static Generate generate(ByteBuffer b) throws IOException {
        int id = b.getInt();
        String prompt = string(b);
        int maxTokens = b.getInt();
        double temperature = b.getDouble();
        double topP = b.getDouble();
        int topK = b.getInt();
        double minP = b.getDouble();
        double repeatPenalty = b.getDouble();
        int count = count(b);
        List<String> stop = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            stop.add(string(b));
        }
        Integer seed = bool(b) ? b.getInt() : null;
        String grammar = bool(b) ? string(b) : null;
        boolean ignoreEos = bool(b);
        return new Generate(id, prompt, maxTokens, temperature, topP, topK, minP, repeatPenalty, stop, seed, grammar,
                ignoreEos);
    }

    private static void string(DataOutputStream d, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        d.writeInt(bytes.length);
        d.write(bytes);
    }

    private static String string(ByteBuffer b) throws IOException {
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new IOException("invalid string length " + length);
        }
        ByteBuffer slice = b.slice(b.position(), length);
        b.position(b.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("malformed UTF-8 in a message", e);
        }
    }

    /** A count of following elements, each at least one int long: more than the frame holds is refused. */
    private static int count(ByteBuffer b) throws IOException {
        int count = b.getInt();
        if (count < 0 || count > b.remaining() / Integer.BYTES) {
            throw new IOException("invalid element count " + count);
        }
        return count;
    }

    private static boolean bool(ByteBuffer b) throws IOException {
        byte value = b.get();
        if (value != 0 && value != 1) {
            throw new IOException("invalid boolean " + value);
        }
        return value == 1;
    }

    private static <E extends Enum<E>> E constant(E[] values, byte ordinal) throws IOException {
        if (ordinal < 0 || ordinal >= values.length) {
            throw new IOException("invalid " + values.getClass().getComponentType().getSimpleName() + " " + ordinal);
        }
        return values[ordinal];
    }
}
