package dev.cerebrum.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** One TCP connection to the test server, for bytes no HTTP client would send, from a chosen loopback address. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;

    private RawConnection(Socket socket) {
        this.socket = socket;
    }

    /** Connects from {@code from}, one of the 127.0.0.0/8 addresses, which the server sees as different peers. */
    static RawConnection open(int port, String from) {
        try {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            return new RawConnection(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RawConnection open(int port) {
        return open(port, "127.0.0.1");
    }

    RawConnection send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawConnection send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits, without reading, until the first bytes of the server's answer have arrived; fails after {@code wait}.
     * A client that reads only once it has sent its whole request finds them there.
     */
    RawConnection awaitAnswer(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (socket.getInputStream().available() == 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no answer within " + wait.toMillis() + " ms");
                }
                Thread.sleep(5);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** What one read returns, waiting at most {@code wait} for the first bytes: what the socket had by then. */
    String readOnce(Duration wait) {
        try {
            socket.setSoTimeout((int) wait.toMillis());
            byte[] buffer = new byte[65536];
            int n = socket.getInputStream().read(buffer);
            return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything the server sends until it closes the connection, or until {@code wait} has passed. */
    Answer readToEnd(Duration wait) {
        long start = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean closed = false;
        try {
            socket.setSoTimeout((int) wait.toMillis());
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
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
                out.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            // still open when the wait ended
        } catch (IOException e) {
            closed = true; // reset by the server
        }
        return new Answer(out.toString(StandardCharsets.ISO_8859_1), closed,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** One whole response (its headers and its {@code Content-Length} body), without waiting for more. */
    Answer readResponse(Duration wait) {
        long start = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            while (true) {
                String text = out.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0) {
                    String length = new Answer(text, false, 0).header("Content-Length");
                    if (length != null && text.length() >= end + 4 + Integer.parseInt(length)) {
                        break;
                    }
                }
                long left = wait.toMillis() - (System.nanoTime() - start) / 1_000_000;
                if (left <= 0) {
                    throw new AssertionError("no whole response within " + wait.toMillis() + " ms: " + text);
                }
                socket.setSoTimeout((int) left);
                int n = in.read(buffer);
                if (n < 0) {
                    throw new AssertionError("closed before a whole response: " + text);
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Answer(out.toString(StandardCharsets.ISO_8859_1), false, (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket
        }
    }

    /** What came back: the raw text, whether the server closed the connection, and how long that took. */
    record Answer(String text, boolean closed, long millis) {
        int status() {
            return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
        }

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

        String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }

        /** The number of responses in the text (pipelined requests get one each). */
        int responses() {
            return text.split("HTTP/1\\.1 \\d{3} ", -1).length - 1;
        }
    }
}
