package dev.cerebrum.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GatheringWriterTest {
    /** The socket: what each of its writes carried. */
    private final List<String> writes = new ArrayList<>();
    private final GatheringWriter writer = new GatheringWriter(new DataWriter() {
        @Override
        public void write(BufferData... buffers) {
            for (BufferData b : buffers) {
                write(b);
            }
        }

        @Override
        public void write(BufferData buffer) {
            writes.add(buffer.readString(buffer.available(), StandardCharsets.US_ASCII));
        }

        @Override
        public void writeNow(BufferData... buffers) {
            write(buffers);
        }

        @Override
        public void writeNow(BufferData buffer) {
            write(buffer);
        }
    });

    private static BufferData text(String s) {
        return BufferData.create(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void writesInABlock_goOutAsOneWrite_inOrder_howeverLarge() {
        String headers = "HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(100) + "\r\n";
        String chunk = "1b2\r\n" + "a".repeat(434) + "\r\n";

        writer.inOneWrite(() -> {
            writer.write(text(headers));
            writer.write(text(chunk), text("tail"));
            writer.writeNow(text("!"));
        });

        assertEquals(List.of(headers + chunk + "tail!"), writes);
    }

    @Test
    void writesOutsideABlock_goOutAsTheyCome() {
        writer.write(text("a"));
        writer.inOneWrite(() -> { });
        writer.writeNow(text("b"));

        assertEquals(List.of("a", "b"), writes);
    }

    @Test
    void aBlockThatFails_stillSendsWhatItWrote() {
        IOException failure = assertThrows(IOException.class, () -> writer.inOneWrite(() -> {
            writer.write(text("half"));
            throw new IOException("failed");
        }));

        assertEquals("failed", failure.getMessage());
        assertEquals(List.of("half"), writes);
    }

    @Test
    void anInnerBlock_goesOutWithTheOuterOne() {
        writer.inOneWrite(() -> {
            writer.write(text("a"));
            writer.inOneWrite(() -> writer.write(text("b")));
            writer.write(text("c"));
        });

        assertEquals(List.of("abc"), writes);
    }
}
