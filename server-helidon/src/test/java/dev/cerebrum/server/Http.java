package dev.cerebrum.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A small HTTP/1.1 client for the tests, on java.net.http. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    /** Every error body any test saw, for the leak check. */
    static final List<String> ERROR_BODIES = java.util.Collections.synchronizedList(new ArrayList<>());

    private final URI base;

    Http(URI base) {
        this.base = base;
    }

    /** A response with its body as text. */
    record Response(int status, java.net.http.HttpHeaders headers, String body) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            try {
                return (Map<String, Object>) Json.read(body.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    Response get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    Response post(String path, String body, String... headers) {
        return send(request(path, headers).POST(body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            Response response = new Response(r.statusCode(), r.headers(), r.body());
            if (r.statusCode() >= 400) {
                ERROR_BODIES.add(r.body());
                assertSafe(r.body());
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Opens a response as a stream; the caller closes it. */
    HttpResponse<InputStream> open(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Posts to a stream endpoint, expects 200, and returns its lines as they come; the caller closes them. */
    java.io.BufferedReader openLines(String path, String body, String... headers) {
        HttpResponse<InputStream> r = open(request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
        org.junit.jupiter.api.Assertions.assertEquals(200, r.statusCode());
        return new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), StandardCharsets.UTF_8));
    }

    /** Reads the stream to its end and returns its last {@code data:} line, null when it had none. */
    static String lastDataLine(java.io.BufferedReader lines) throws IOException {
        String last = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("data: ")) {
                last = line;
            }
        }
        return last;
    }

    /** An error body must never show a path, an exception or a stack trace. */
    static void assertSafe(String body) {
        for (String leak : new String[]{"/home", "/work", "/tmp", "Exception", "\tat ", "\\tat "}) {
            assertFalse(body.contains(leak), "error body leaks '" + leak + "': " + body);
        }
        assertTrue(body.startsWith("{"), "error body is JSON: " + body);
    }
}
