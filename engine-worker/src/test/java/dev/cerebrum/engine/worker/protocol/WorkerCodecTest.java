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
import dev.cerebrum.engine.worker.protocol.WorkerMessage.LoadErrorKind;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Loaded;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Log;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.LogLevel;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Outcome;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Piece;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Ping;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Pong;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Progress;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Shutdown;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.ToWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerCodecTest {

    /** One or more examples of every message, edge values included. */
    static List<WorkerMessage> examples() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("adds-bos", "true");
        options.put("native-log", "");
        return List.of(
                new Hello(WorkerCodec.VERSION, 4_000_000_123L),
                new Loaded(1234, 0),
                new LoadError(LoadErrorKind.INVALID_MODEL, "llama.cpp could not load the model: <file>"),
                new LoadError(LoadErrorKind.FAILED, ""),
                new Piece(7, "héllo 😀 \u0000 \n", 3),
                new Piece(Integer.MAX_VALUE, "", 0),
                new Progress(7),
                new End(7, Outcome.STOP, 3, "", 0),
                new End(8, Outcome.LENGTH, 512, "", 0),
                new End(9, Outcome.CONTEXT_FULL, 3, "", 0),
                new End(10, Outcome.CANCELLED, 0, "", 0),
                new End(11, Outcome.FAILED, 1, "native error", 0),
                new Counted(12, 5),
                new CountFailed(13, "the prompt could not be tokenized"),
                new Pong(Long.MAX_VALUE),
                new Log(LogLevel.DEBUG, "native"),
                new Log(LogLevel.INFO, "model loaded in 12 ms, warm-up 3 ms"),
                new Log(LogLevel.WARNING, "warm-up failed"),
                new Load("/models/a b/ü.gguf", 2048, 1, 2, 4, 512, -1, options),
                new Load("m.gguf", 16, 1, 1, 1, 1, 0, Map.of()),
                new Generate(1, "abc", 8, 0.0, 0.95, 40, 0.05, 1.1, List.of("fg", "😀"), 42, "root ::= \"d\"", false),
                new Generate(2, "x".repeat(100_000), 1, 2.0, 1.0, 0, 0.0, 10.0, List.of(), null, null, true),
                new Cancel(3),
                new Count(4, "abc def"),
                new Ping(0),
                new Shutdown());
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyMessage_readsBackEqual(WorkerMessage message) throws IOException {
        assertEquals(message, WorkerCodec.decode(WorkerCodec.encode(message)));
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyMessage_readsBackEqual_throughTheStreams(WorkerMessage message) throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new WorkerCodec(InputStream.nullInputStream(), wire).write(message);

        WorkerCodec reader = new WorkerCodec(new ByteArrayInputStream(wire.toByteArray()), OutputStream.nullOutputStream());
        WorkerMessage read = message instanceof ToWorker ? reader.readToWorker() : reader.readFromWorker();

        assertEquals(message, read);
        assertThrows(EOFException.class, reader::readFromWorker, "nothing follows");
    }

    @Test
    void examples_coverEveryKindOfMessage() {
        Set<Class<?>> covered = examples().stream().map(Object::getClass).collect(Collectors.toSet());
        Set<Class<?>> all = new HashSet<>();
        Deque<Class<?>> types = new ArrayDeque<>(List.of(WorkerMessage.class));
        while (!types.isEmpty()) {
            Class<?> type = types.pop();
            if (type.isRecord()) {
                all.add(type);
            } else {
                types.addAll(Arrays.asList(type.getPermittedSubclasses()));
            }
        }
        assertEquals(16, all.size(), all.toString());
        assertEquals(all, covered);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void truncatedMessage_isRefused(WorkerMessage message) {
        byte[] frame = WorkerCodec.encode(message);
        for (int length = 0; length < frame.length; length++) {
            byte[] truncated = Arrays.copyOf(frame, length);
            assertThrows(IOException.class, () -> WorkerCodec.decode(truncated), "cut at " + length);
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void messageWithTrailingBytes_isRefused(WorkerMessage message) {
        byte[] frame = WorkerCodec.encode(message);
        byte[] longer = Arrays.copyOf(frame, frame.length + 1);

        IOException e = assertThrows(IOException.class, () -> WorkerCodec.decode(longer));
        assertTrue(e.getMessage().contains("unexpected bytes"), e.getMessage());
    }

    @Test
    void unknownTypeAndInvalidValues_areRefused() {
        assertRefused(new byte[]{99}, "unknown message type 99");
        byte[] end = WorkerCodec.encode(new End(1, Outcome.STOP, 0, "", 0));
        end[5] = 9; // the outcome
        assertRefused(end, "invalid Outcome 9");
        byte[] generate = WorkerCodec.encode(new Generate(1, "a", 1, 0, 1, 0, 0, 1, List.of(), null, null, false));
        generate[generate.length - 1] = 2; // ignoreEos
        assertRefused(generate, "invalid boolean 2");
        byte[] count = WorkerCodec.encode(new Count(1, "ab"));
        count[9] = (byte) 0xC3; // a lead byte followed by 'b'
        assertRefused(count, "malformed UTF-8");
        byte[] negative = WorkerCodec.encode(new Count(1, "ab"));
        negative[5] = (byte) 0xFF; // the string length becomes negative
        assertRefused(negative, "invalid string length");
    }

    @Test
    void randomGarbage_isRefusedWithAnIOException_neverAnotherError() {
        Random random = new Random(20250317L);
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] garbage = new byte[1 + random.nextInt(40)];
            random.nextBytes(garbage);
            try {
                WorkerCodec.decode(garbage);
                decoded++;
            } catch (IOException expected) {
                // refused, as it should be
            }
        }
        assertTrue(decoded < 200, decoded + " random frames parsed as messages");
    }

    @Test
    void frameLongerThanTheLimit_isRefusedBeforeItIsRead() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(wire);
        out.writeInt(WorkerCodec.MAX_FRAME_BYTES + 1);
        out.writeByte(4);

        WorkerCodec reader = new WorkerCodec(new ByteArrayInputStream(wire.toByteArray()), OutputStream.nullOutputStream());

        IOException e = assertThrows(IOException.class, reader::readFromWorker);
        assertTrue(e.getMessage().contains("invalid frame length"), e.getMessage());
    }

    @Test
    void emptyOrNegativeFrame_isRefused() throws IOException {
        for (int length : new int[]{0, -1, Integer.MIN_VALUE}) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            new DataOutputStream(wire).writeInt(length);
            WorkerCodec reader = new WorkerCodec(new ByteArrayInputStream(wire.toByteArray()), OutputStream.nullOutputStream());
            assertThrows(IOException.class, reader::readToWorker, "length " + length);
        }
    }

    @Test
    void frameCutShortOnTheWire_isAnEndOfStream() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new WorkerCodec(InputStream.nullInputStream(), wire).write(new Count(1, "abcdef"));
        byte[] cut = Arrays.copyOf(wire.toByteArray(), wire.size() - 2);

        WorkerCodec reader = new WorkerCodec(new ByteArrayInputStream(cut), OutputStream.nullOutputStream());

        assertThrows(EOFException.class, reader::readToWorker);
    }

    @Test
    void messageLargerThanAFrame_cannotBeWritten() {
        Count huge = new Count(1, "x".repeat(WorkerCodec.MAX_FRAME_BYTES));

        assertThrows(IllegalArgumentException.class, () -> WorkerCodec.encode(huge));
    }

    @Test
    void messageForTheOtherSide_isRefused() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        new WorkerCodec(InputStream.nullInputStream(), wire).write(new Ping(1));
        WorkerCodec reader = new WorkerCodec(new ByteArrayInputStream(wire.toByteArray()), OutputStream.nullOutputStream());

        IOException e = assertThrows(IOException.class, reader::readFromWorker);
        assertTrue(e.getMessage().contains("Ping"), e.getMessage());
    }

    @Test
    void handshake_acceptsOnlyASmallHello() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        WorkerCodec writer = new WorkerCodec(InputStream.nullInputStream(), wire);
        writer.write(new Hello(WorkerCodec.VERSION, 42));
        writer.write(new Log(LogLevel.INFO, "x".repeat(100)));
        WorkerCodec reader = new WorkerCodec(new ByteArrayInputStream(wire.toByteArray()), OutputStream.nullOutputStream());

        assertEquals(new Hello(WorkerCodec.VERSION, 42), reader.readHello());
        assertThrows(IOException.class, reader::readHello, "a large first frame is another protocol");
    }

    @Test
    void readersReturnTheirSidesType() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        WorkerCodec writer = new WorkerCodec(InputStream.nullInputStream(), wire);
        writer.write(new Pong(5));
        writer.write(new Shutdown());
        WorkerCodec reader = new WorkerCodec(new ByteArrayInputStream(wire.toByteArray()), OutputStream.nullOutputStream());

        assertInstanceOf(FromWorker.class, reader.readFromWorker());
        assertInstanceOf(ToWorker.class, reader.readToWorker());
    }

    private static void assertRefused(byte[] frame, String expected) {
        IOException e = assertThrows(IOException.class, () -> WorkerCodec.decode(frame));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
