package dev.cerebrum.client.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SseReaderTest {

    private static List<String> read(String wire, AtomicInteger activity) throws IOException {
        SseReader r = new SseReader(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)),
                activity::incrementAndGet);
        List<String> out = new ArrayList<>();
        for (String d = r.next(); d != null; d = r.next()) {
            out.add(d);
        }
        return out;
    }

    @Test
    void dataLinesAreDispatchedOnTheBlankLine_andCommentsAreSkippedButCountAsActivity() throws IOException {
        AtomicInteger activity = new AtomicInteger();
        List<String> events = read(": keep-alive\n\ndata: {\"token\": \"d\"}\n\n: keep-alive\n\ndata: {\"done\": true}\n\n",
                activity);
        assertEquals(List.of("{\"token\": \"d\"}", "{\"done\": true}"), events);
        assertEquals(8, activity.get(), "every line, heartbeats included, resets the idle timer");
    }

    @Test
    void crlfAndCrLineEndings_andMultiLineData() throws IOException {
        List<String> events = read("data: a\r\ndata: b\r\n\r\ndata:c\r\r", new AtomicInteger());
        assertEquals(List.of("a\nb", "c"), events);
    }

    @Test
    void otherFieldsAreIgnored_andALastEventWithoutBlankLineStillCounts() throws IOException {
        List<String> events = read("event: x\nid: 7\nretry: 10\ndata: {\"k\":1}\n\ndata: last", new AtomicInteger());
        assertEquals(List.of("{\"k\":1}", "last"), events);
    }

    @Test
    void multiByteCharactersSurviveChunking() throws IOException {
        List<String> events = read("\uFEFFdata: {\"token\": \"é▁日\"}\n\n", new AtomicInteger());
        assertEquals(List.of("{\"token\": \"é▁日\"}"), events);
    }
}
