package dev.cerebrum.server;

import io.helidon.common.buffers.DataReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RequestLineTest {

    @Test
    void http11RequestLines_passToHelidon() {
        for (String line : new String[]{"GET /health HTTP/1.1", "POST /v1/inference?x=1 HTTP/1.1",
                "OPTIONS * HTTP/1.1", "GET http://host/health HTTP/1.1", "FOO /x HTTP/1.1", "get /health HTTP/1.1"}) {
            assertEquals(RequestLine.Verdict.HTTP_1_1, RequestLine.of(line), line);
        }
    }

    @Test
    void otherVersions_areTold() {
        assertEquals(RequestLine.Verdict.HTTP_1_0, RequestLine.of("GET /health HTTP/1.0"));
        assertEquals(RequestLine.Verdict.OTHER_VERSION, RequestLine.of("PRI * HTTP/2.0"));
        assertEquals(RequestLine.Verdict.OTHER_VERSION, RequestLine.of("GET / HTTP/3"));
    }

    @Test
    void malformedLines_areNotHttp() {
        for (String line : new String[]{"GET /health", "GET", "", " GET / HTTP/1.1", "GE\u0000T / HTTP/1.1",
                "GET /a\u0001b HTTP/1.1", "GET / HTTPS/1.1", "G(T / HTTP/1.1", "GET / HTTP/1.1x"}) {
            assertEquals(RequestLine.Verdict.NOT_HTTP, RequestLine.of(line), line);
        }
    }

    @Test
    void aTlsClientHello_isNotHttp_withoutWaitingForALineEnd() {
        // a TLS record header: handshake (0x16), TLS 1.0, then a ClientHello that never contains CRLF
        byte[] hello = HexFormat.of().parseHex("16030100a5010000a10303" + "00".repeat(40));
        assertEquals(RequestLine.Verdict.NOT_HTTP, RequestLine.peek(reader(hello), 4096));
    }

    @Test
    void peek_readsTheLineAcrossPieces_andConsumesNothing() {
        DataReader reader = reader("GET /hea".getBytes(StandardCharsets.US_ASCII),
                "lth HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(RequestLine.Verdict.HTTP_1_0, RequestLine.peek(reader, 4096));
        assertEquals("GET /health HTTP/1.0", reader.readLine());
    }

    @Test
    void peek_leavesLinesLongerThanItLooksAt_andLeadingEmptyLines_toHelidon() {
        assertEquals(RequestLine.Verdict.HTTP_1_1,
                RequestLine.peek(reader(("GET /" + "a".repeat(100) + " HTTP/1.0\r\n").getBytes()), 64));
        assertEquals(RequestLine.Verdict.HTTP_1_1, RequestLine.peek(reader("\r\nGET / HTTP/1.0\r\n".getBytes()), 64));
    }

    @Test
    void peek_seesALoneLineFeed_asNotHttp() {
        assertEquals(RequestLine.Verdict.NOT_HTTP, RequestLine.peek(reader("GET / HTTP/1.1\nHost: x\n\n".getBytes()),
                4096));
    }

    private static DataReader reader(byte[]... pieces) {
        Deque<byte[]> queue = new ArrayDeque<>(java.util.List.of(pieces));
        return DataReader.create(queue::poll);
    }
}
