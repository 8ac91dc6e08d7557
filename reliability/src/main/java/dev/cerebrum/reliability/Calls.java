package dev.cerebrum.reliability;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Requests to one server with the suite's key, over HTTP/1.1 on loopback, each judged as an {@link Answer}:
 * plain inference, streams, and the JSON endpoints the parts watch.
 */
final class Calls implements AutoCloseable {
    /**
     * Writes every character beyond ASCII as a {@code \\uXXXX} escape, so that a grammar holding a lone
     * surrogate or a NUL reaches the server exactly as written, not replaced in the UTF-8 encoding.
     */
    private static final JSON ASCII_JSON = JSON.builder(JsonFactory.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build()).build();

    private final URI base;
    private final HttpClient http;

    Calls(URI base) {
        this.base = base;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The JSON body of an inference request for {@code model}; {@code more} adds or replaces fields. */
    static String body(String model, String prompt, int maxTokens, Map<String, Object> more) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("model", model);
        fields.put("prompt", prompt);
        fields.put("max_tokens", maxTokens);
        fields.put("temperature", 0);
        fields.putAll(more);
        try {
            return ASCII_JSON.asString(fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code POST /v1/inference}, waiting at most {@code wait} for the answer. */
    Answer infer(String body, Duration wait) throws InterruptedException {
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(keyed("/v1/inference").timeout(wait)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            return judge(r, start, r.statusCode() == 200 ? resultOf(r.body()) : "");
        } catch (HttpTimeoutException e) {
            return new Answer(Answer.Kind.NO_ANSWER, 0, "", "", null, millisSince(start));
        } catch (IOException e) {
            return new Answer(Answer.Kind.CLOSED, 0, "", "", null, millisSince(start));
        }
    }

    /** {@code POST /v1/inference/stream}: the stream in flight. */
    StreamCall stream(String body) {
        return StreamCall.open(http, keyed("/v1/inference/stream").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** {@code GET path} with the key; a 200 is a {@link Answer.Kind#RESULT} whose body is the JSON. */
    Answer get(String path, Duration wait) throws InterruptedException {
        return send(keyed(path).timeout(wait).GET().build());
    }

    /** {@code POST path} without a body, with the key. */
    Answer post(String path, Duration wait) throws InterruptedException {
        return send(keyed(path).timeout(wait).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private Answer send(HttpRequest request) throws InterruptedException {
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return judge(r, start, "");
        } catch (HttpTimeoutException e) {
            return new Answer(Answer.Kind.NO_ANSWER, 0, "", "", null, millisSince(start));
        } catch (IOException e) {
            return new Answer(Answer.Kind.CLOSED, 0, "", "", null, millisSince(start));
        }
    }

    private static Answer judge(HttpResponse<String> r, long start, String text) {
        int status = r.statusCode();
        Answer.Kind kind = status == 200 ? Answer.Kind.RESULT
                : status >= 400 && !r.body().isBlank() ? Answer.Kind.REFUSED : Answer.Kind.CLOSED;
        return new Answer(kind, status, text, r.body(), r.headers().firstValue("Retry-After").orElse(null),
                millisSince(start));
    }

    private static String resultOf(String json) {
        try {
            return String.valueOf(JSON.std.mapFrom(json).get("result"));
        } catch (IOException e) {
            return "(not JSON: " + json + ")";
        }
    }

    private HttpRequest.Builder keyed(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).header("X-API-Key", ServerProcess.KEY);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Ends the client at once: a request still waiting is abandoned, never waited for. */
    @Override
    public void close() {
        http.shutdownNow();
    }
}
