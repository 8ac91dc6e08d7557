package dev.cerebrum.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bytes to a server over one TCP connection, and whatever comes back: for inputs no HTTP client would send. The
 * source address may be any of 127.0.0.0/8, which the server counts as different clients.
 */
final class RawExchange {
    /** A status line at the start, or right after the previous response (a line end, or a JSON body's end). */
    private static final Pattern STATUS_LINE = Pattern.compile("(?:^|(?<=[\\n}]))HTTP/1\\.1 (\\d{3}) ");

    private RawExchange() {
    }

    /**
     * What came back.
     *
     * @param text      the bytes, as ISO-8859-1 text
     * @param closed    true when the server closed (or reset) the connection within the wait
     * @param connected false when the connection could not even be opened
     * @param millis    from the last byte sent to the close, or to the end of the wait
     */
    record Answer(String text, boolean closed, boolean connected, long millis) {
        /** The statuses of every response in the text, in order (pipelined requests get one each). */
        List<Integer> statuses() {
            List<Integer> statuses = new ArrayList<>();
            Matcher m = STATUS_LINE.matcher(text);
            while (m.find()) {
                statuses.add(Integer.parseInt(m.group(1)));
            }
            return statuses;
        }

        /** The first response's status, or 0 when nothing came back. */
        int status() {
            List<Integer> s = statuses();
            return s.isEmpty() ? 0 : s.getFirst();
        }

        /** The value of a header of the first response, or null. */
        String header(String name) {
            for (String line : text.split("\r\n")) {
                if (line.isEmpty()) {
                    return null;
                }
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }
    }

    /** Sends {@code request} at once and reads until the server closes or {@code wait} has passed. */
    static Answer send(int port, String from, byte[] request, Duration wait) {
        return send(port, from, List.of(request), Duration.ZERO, wait, 0);
    }

    /**
     * Sends the pieces with {@code pause} between them, then reads until the server closes, until
     * {@code enough} complete responses have arrived (0: never enough), or until {@code wait} has passed. A
     * server that closes while pieces are still being sent ends the sending.
     */
    static Answer send(int port, String from, List<byte[]> pieces, Duration pause, Duration wait, int enough) {
        try (Socket socket = new Socket()) {
            try {
                socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            } catch (IOException e) {
                return new Answer("", true, false, 0);
            }
            OutputStream out = socket.getOutputStream();
            try {
                for (int i = 0; i < pieces.size(); i++) {
                    if (i > 0 && !pause.isZero()) {
                        Thread.sleep(pause.toMillis());
                    }
                    out.write(pieces.get(i));
                    out.flush();
                }
            } catch (IOException e) {
                // the server closed while we were sending: read what it said
            }
            return read(socket, wait, enough);
        } catch (IOException e) {
            return new Answer("", true, true, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer("", false, true, 0);
        }
    }

    private static Answer read(Socket socket, Duration wait, int enough) throws IOException {
        long start = System.nanoTime();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        boolean closed = false;
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[16 * 1024];
        try {
            while (true) {
                long left = wait.toMillis() - (System.nanoTime() - start) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                int n = in.read(buffer);
                if (n < 0) {
                    closed = true;
                    break;
                }
                received.write(buffer, 0, n);
                if (enough > 0 && complete(received.toString(StandardCharsets.ISO_8859_1)) >= enough) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // still open at the end of the wait
        } catch (IOException e) {
            closed = true;
        }
        return new Answer(received.toString(StandardCharsets.ISO_8859_1), closed, true,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** How many complete responses the text holds (by Content-Length, or to the end of a chunked body). */
    static int complete(String text) {
        int count = 0;
        int at = 0;
        while (true) {
            int headEnd = text.indexOf("\r\n\r\n", at);
            if (headEnd < 0) {
                return count;
            }
            String head = text.substring(at, headEnd).toLowerCase(java.util.Locale.ROOT);
            Matcher length = Pattern.compile("\r\ncontent-length: *(\\d+)").matcher(head);
            int end;
            if (length.find()) {
                end = headEnd + 4 + Integer.parseInt(length.group(1));
            } else if (head.contains("\r\ntransfer-encoding: chunked")) {
                int last = text.indexOf("\r\n0\r\n\r\n", headEnd);
                end = last < 0 ? Integer.MAX_VALUE : last + 7;
            } else {
                end = headEnd + 4;
            }
            if (end > text.length()) {
                return count;
            }
            count++;
            at = end;
        }
    }

    /** The status of {@code GET path} (with the suite's key), or 0 when nothing answered within five seconds. */
    static int get(int port, String from, String path) {
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + ServerProcess.KEY
                + "\r\nConnection: close\r\n\r\n";
        return send(port, from, request.getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5)).status();
    }
}
