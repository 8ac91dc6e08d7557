package dev.cerebrum.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static dev.cerebrum.reliability.HostileInput.of;

/**
 * The hostile inputs, each with the answer it must get, for a server with the limits of
 * {@link HostileInputPart}: a 64 KiB body limit, headers within one second, two seconds of keep-alive.
 */
final class HostileCorpus {
    /** The body limit the server of this corpus runs with. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String KEY = "X-API-Key: " + ServerProcess.KEY + "\r\n";
    private static final String GOOD = "{\"model\": \"demo\", \"prompt\": \"abc\", \"max_tokens\": 3,"
            + " \"temperature\": 0}";

    private HostileCorpus() {
    }

    /** Every input, in the order they are tried. */
    static List<HostileInput> inputs() {
        return List.of(
                // --- bodies: JSON and its values
                of("malformed JSON", infer("{\"model\": \"demo\", \"prompt\": "), 400),
                of("JSON array instead of an object", infer("[1, 2, 3]"), 400),
                of("JSON string instead of an object", infer("\"abc\""), 400),
                of("empty body", infer(""), 400),
                of("prompt is a number", infer("{\"model\": \"demo\", \"prompt\": 42}"), 400),
                of("model is an object", infer("{\"model\": {\"a\": 1}, \"prompt\": \"abc\"}"), 400),
                of("max_tokens is a string", infer(body("\"max_tokens\": \"8\"")), 400),
                of("max_tokens 1e30", infer(body("\"max_tokens\": 1e30")), 400),
                of("max_tokens 2^63", infer(body("\"max_tokens\": 9223372036854775808")), 400),
                of("max_tokens negative", infer(body("\"max_tokens\": -1")), 400),
                of("temperature 1e309 (infinite)", infer(body("\"temperature\": 1e309")), 400),
                of("temperature NaN literal", infer(body("\"temperature\": NaN")), 400),
                of("stop is a number", infer(body("\"stop\": 7")), 400),
                of("duplicate keys", infer("{\"model\": \"demo\", \"model\": \"other\", \"prompt\": \"abc\"}"), 400,
                        404),
                of("NUL byte in the prompt (escaped)", infer("{\"model\": \"demo\", \"prompt\": \"a\\u0000c\","
                        + " \"max_tokens\": 2, \"temperature\": 0}"), 200, 400),
                of("raw NUL byte in the body", infer("{\"model\": \"demo\", \"prompt\": \"a\u0000c\"}"), 400),
                of("invalid UTF-8 in the body", inferBytes(utf8Broken()), 400),
                of("lone surrogate escape", infer("{\"model\": \"demo\", \"prompt\": \"\\ud800\", \"max_tokens\": 2}"),
                        200, 400),
                of("JSON nested 60,000 deep", infer("[".repeat(60_000)), 400),
                of("unknown model with control characters", infer("{\"model\": \"x\\u001b[31m\", \"prompt\": \"a\"}"),
                        404),
                // read to its end and discarded, so the connection may carry on
                of("body over the body limit", infer("{\"model\": \"demo\", \"prompt\": \"" + "a".repeat(MAX_BODY_BYTES)
                        + "\"}"), 413),
                of("Content-Length over the body limit, body not sent", "POST /v1/inference HTTP/1.1\r\nHost: x\r\n"
                        + KEY + "Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n", 413).closes(),
                of("Content-Length longer than the body sent", "POST /v1/inference HTTP/1.1\r\nHost: x\r\n"
                        + KEY + "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n" + GOOD, 408).closes(),
                of("Content-Type text/plain", request("POST", "/v1/inference", "Content-Type: text/plain\r\n", GOOD),
                        200, 400, 415),
                of("unsupported Content-Encoding", request("POST", "/v1/inference",
                        "Content-Type: application/json\r\nContent-Encoding: br\r\n", GOOD), 400, 415).closes(),
                // --- framing and smuggling
                of("Content-Length and Transfer-Encoding together", "POST /v1/inference HTTP/1.1\r\nHost: x\r\n" + KEY
                        + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400).closes(),
                of("two different Content-Lengths", "POST /v1/inference HTTP/1.1\r\nHost: x\r\n" + KEY
                        + "Content-Length: 3\r\nContent-Length: 70\r\n\r\n" + GOOD, 400).closes(),
                of("Transfer-Encoding other than chunked", "POST /v1/inference HTTP/1.1\r\nHost: x\r\n" + KEY
                        + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400, 501).closes(),
                of("chunk size that is not hex", chunked("zz\r\nabc\r\n0\r\n\r\n"), 400).closes(),
                of("chunk size that overflows", chunked("ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n"), 400).closes(),
                of("negative chunk size", chunked("-5\r\nabc\r\n0\r\n\r\n"), 400).closes(),
                of("chunk longer than its size", chunked("2\r\nabcdef\r\n0\r\n\r\n"), 400, 408).closes(),
                of("request after an empty chunked body is a request of its own (401)",
                        chunked("0\r\n\r\nGET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n"), 400).answeredTimes(2),
                // --- request line and headers
                of("TLS ClientHello", tlsClientHello(), 400).closes(),
                of("binary garbage", "\u0000\u0001\u0002\u00ff\r\n\r\n", 400).closes(),
                of("HTTP/1.0", "GET /health HTTP/1.0\r\n\r\n", 505).closes(),
                of("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505).closes(),
                of("HTTP/0.9 request line", "GET /health\r\n\r\n", 400).closes(),
                of("control character in the method", "GE\u0001T /health HTTP/1.1\r\nHost: x\r\n\r\n", 400).closes(),
                of("bare LF line ends", "GET /health HTTP/1.1\nHost: x\n\n", 400).closes(),
                of("request line of 8 KB", "GET /" + "a".repeat(8192) + " HTTP/1.1\r\nHost: x\r\n\r\n", 400, 414)
                        .closes(),
                of("headers of 32 KB", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(32 * 1024)
                        + "\r\n\r\n", 400, 431).closes(),
                of("3,000 small headers", "GET /health HTTP/1.1\r\nHost: x\r\n" + "X-H: v\r\n".repeat(3000) + "\r\n",
                        400, 431).closes(),
                of("no Host header", "GET /health HTTP/1.1\r\n\r\n", 400).closes(),
                of("two Host headers", "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400).closes(),
                of("NUL in a header value", "GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n", 400).closes(),
                of("header line without a colon", "GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", 400)
                        .closes(),
                of("obsolete folded header", "GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400).closes(),
                of("bad request id (control characters, 2 KB)", "GET /health HTTP/1.1\r\nHost: x\r\nX-Request-ID: "
                        + "\u001b[2J" + "r".repeat(2048) + "\r\n\r\n", 200, 400),
                // --- methods and paths
                of("unknown method", "FOO /health HTTP/1.1\r\nHost: x\r\n\r\n", 405),
                of("TRACE", "TRACE /v1/models HTTP/1.1\r\nHost: x\r\n" + KEY + "\r\n", 405),
                of("CONNECT", "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n", 400, 404, 405),
                of("path traversal", "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n" + KEY + "\r\n", 400, 404),
                of("encoded path traversal", "GET /v1/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n" + KEY + "\r\n",
                        400, 404),
                of("unload with an encoded slash", "POST /v1/unload/..%2f..%2fetc HTTP/1.1\r\nHost: x\r\n" + KEY
                        + "Content-Length: 0\r\n\r\n", 400, 404),
                of("absolute-form target", "GET http://other.example/health HTTP/1.1\r\nHost: x\r\n\r\n", 200, 400),
                // --- authentication
                of("X-API-Key and Bearer disagree", "GET /v1/models HTTP/1.1\r\nHost: x\r\n" + KEY
                        + "Authorization: Bearer wrong\r\n\r\n", 401),
                of("key with trailing NUL", "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-API-Key: " + ServerProcess.KEY
                        + "\u0000\r\n\r\n", 400, 401),
                // --- connections
                of("pipelined requests", "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x"
                        + "\r\n\r\n", 200).answeredTimes(2),
                of("pipelined, the first says Connection: close", "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close"
                        + "\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n", 200).closes(),
                of("slowloris: a header byte every 150 ms", "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "
                        + "s".repeat(20) + "\r\n\r\n", 408).closes().trickled(1, Duration.ofMillis(150)),
                new HostileInput("idle connection, nothing sent", List.of(), Duration.ZERO, Set.of(0),
                        HostileInput.Ending.CLOSED, 0),
                of("half a request line, then silence", "GET /hea", 408).closes());
    }

    private static String body(String field) {
        return "{\"model\": \"demo\", \"prompt\": \"abc\", " + field + "}";
    }

    private static String infer(String body) {
        return request("POST", "/v1/inference", "Content-Type: application/json\r\n", body);
    }

    private static String request(String method, String path, String headers, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: x\r\n" + KEY + headers + "Content-Length: "
                + body.getBytes(StandardCharsets.ISO_8859_1).length + "\r\n\r\n" + body;
    }

    private static String inferBytes(byte[] body) {
        return request("POST", "/v1/inference", "Content-Type: application/json\r\n",
                new String(body, StandardCharsets.ISO_8859_1));
    }

    private static String chunked(String chunks) {
        return "POST /v1/inference HTTP/1.1\r\nHost: x\r\n" + KEY + "Content-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + chunks;
    }

    private static byte[] utf8Broken() {
        byte[] start = "{\"model\": \"demo\", \"prompt\": \"a".getBytes(StandardCharsets.US_ASCII);
        byte[] bad = {(byte) 0xc3, (byte) 0x28, (byte) 0xff, (byte) 0xfe};
        return HostileInput.concat(HostileInput.concat(start, bad), "\"}".getBytes(StandardCharsets.US_ASCII));
    }

    private static String tlsClientHello() {
        byte[] hello = HexFormat.of().parseHex("16030100a5010000a10303" + "5a".repeat(32) + "00" + "0004130113020100"
                + "0074" + "00".repeat(116));
        return new String(hello, StandardCharsets.ISO_8859_1);
    }
}
