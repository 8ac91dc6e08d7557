package dev.cerebrum.server;

import io.helidon.common.buffers.DataReader;

import java.nio.charset.StandardCharsets;

/**
 * A look at the first request line of a connection before Helidon parses it, for the inputs Helidon answers
 * badly: a TLS handshake or other binary bytes (it waits for a line that never comes), control characters in
 * the method (500 with a stack trace in the log), and HTTP/1.0 (505 without a word of explanation). Anything
 * else, including lines too long to check, is left to Helidon's own parser.
 */
final class RequestLine {
    /** What the first line is. */
    enum Verdict {
        /** An HTTP/1.1 request line, or something Helidon answers well by itself. */
        HTTP_1_1,
        /** Not HTTP: binary bytes such as a TLS handshake, or a malformed line. */
        NOT_HTTP,
        /** An HTTP/1.0 request. */
        HTTP_1_0,
        /** Another HTTP version, such as the HTTP/2 preface. */
        OTHER_VERSION
    }

    private RequestLine() {
    }

    /**
     * Looks at the next line of the reader without consuming it; waits until the line is complete or
     * {@code maxLength} bytes have arrived (the caller bounds the wait with the header timeout).
     */
    static Verdict peek(DataReader reader, int maxLength) {
        byte first = reader.lookup();
        if (first == '\r' || first == '\n') {
            return Verdict.HTTP_1_1; // an empty line before a request is allowed (RFC 9112, 2.2)
        }
        if (!isTokenChar(first)) {
            return Verdict.NOT_HTTP;
        }
        int end;
        try {
            end = reader.findNewLine(maxLength);
        } catch (DataReader.IncorrectNewLineException e) {
            return Verdict.NOT_HTTP;
        }
        if (end >= maxLength) {
            return Verdict.HTTP_1_1; // Helidon answers an over-long line itself
        }
        return of(reader.getBuffer(end).readString(end, StandardCharsets.ISO_8859_1));
    }

    /** Classifies one request line, without its line end. */
    static Verdict of(String line) {
        int firstSpace = line.indexOf(' ');
        int lastSpace = line.lastIndexOf(' ');
        if (firstSpace <= 0 || lastSpace == firstSpace) {
            return Verdict.NOT_HTTP;
        }
        for (int i = 0; i < firstSpace; i++) {
            if (!isTokenChar((byte) line.charAt(i))) {
                return Verdict.NOT_HTTP;
            }
        }
        for (int i = firstSpace + 1; i < lastSpace; i++) {
            char c = line.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return Verdict.NOT_HTTP;
            }
        }
        String version = line.substring(lastSpace + 1);
        if (version.equals("HTTP/1.1")) {
            return Verdict.HTTP_1_1;
        }
        if (version.equals("HTTP/1.0")) {
            return Verdict.HTTP_1_0;
        }
        return version.matches("HTTP/[0-9](\\.[0-9])?") ? Verdict.OTHER_VERSION : Verdict.NOT_HTTP;
    }

    /** A character of an HTTP token (RFC 9110, 5.6.2), which a method is. */
    private static boolean isTokenChar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }
}
