package dev.cerebrum.reliability;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream in flight ({@code POST /v1/inference/stream}): its Server-Sent Events are read on a thread of its
 * own as they arrive, so a test can wait for its first tokens, do something to the server, and then see how the
 * stream ended and when.
 */
final class StreamCall implements AutoCloseable {
    private final long start = System.nanoTime();
    private final CompletableFuture<Answer> answer = new CompletableFuture<>();
    private final AtomicInteger tokens = new AtomicInteger();
    private final StringBuffer text = new StringBuffer();
    private volatile CompletableFuture<HttpResponse<InputStream>> response;
    private volatile InputStream in;
    private volatile long endedAt;

    private StreamCall() {
    }

    /** Sends the request and starts reading its events. */
    static StreamCall open(HttpClient http, HttpRequest request) {
        StreamCall call = new StreamCall();
        call.response = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        Thread.ofVirtual().name("stream-reader").start(call::read);
        return call;
    }

    private void read() {
        int status = 0;
        String retryAfter = null;
        try {
            HttpResponse<InputStream> r = response.get();
            status = r.statusCode();
            retryAfter = r.headers().firstValue("Retry-After").orElse(null);
            in = r.body();
            if (status != 200) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                end(body.isBlank() ? Answer.Kind.CLOSED : Answer.Kind.REFUSED, status, body, retryAfter);
                return;
            }
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.startsWith("data: ")) {
                        continue; // a heartbeat comment or the blank line after an event
                    }
                    String data = line.substring("data: ".length());
                    Map<String, Object> event = JSON.std.mapFrom(data);
                    if (event.containsKey("error")) {
                        end(Answer.Kind.ERROR_EVENT, status, data, retryAfter);
                        return;
                    }
                    if (Boolean.TRUE.equals(event.get("done"))) {
                        end(Answer.Kind.RESULT, status, data, retryAfter);
                        return;
                    }
                    if (event.get("token") instanceof String token) {
                        text.append(token);
                        tokens.incrementAndGet();
                    }
                }
            }
            end(Answer.Kind.CLOSED, status, "", retryAfter);
        } catch (IOException | ExecutionException | CancellationException e) {
            end(Answer.Kind.CLOSED, status, "", retryAfter);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(Answer.Kind.CLOSED, status, "", retryAfter);
        }
    }

    private void end(Answer.Kind kind, int status, String body, String retryAfter) {
        endedAt = System.nanoTime();
        answer.complete(new Answer(kind, status, text.toString(), body, retryAfter, (endedAt - start) / 1_000_000));
    }

    /** Waits until {@code n} token events have arrived; false when the stream ended first or the wait ran out. */
    boolean awaitTokens(int n, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (tokens.get() < n) {
            if (answer.isDone() || System.nanoTime() > deadline) {
                return tokens.get() >= n;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** How the stream ended; {@link Answer.Kind#NO_ANSWER} (and the stream closed) when it did not within the wait. */
    Answer await(Duration wait) throws InterruptedException {
        try {
            return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Answer none = new Answer(Answer.Kind.NO_ANSWER, 0, text.toString(), "", null,
                    (System.nanoTime() - start) / 1_000_000);
            answer.complete(none);
            close();
            return answer.getNow(none);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the stream's answer cannot fail", e);
        }
    }

    /** {@link System#nanoTime()} when the stream ended, or 0 while it runs. */
    long endedAt() {
        return endedAt;
    }

    /** Token events so far. */
    int tokens() {
        return tokens.get();
    }

    /** Stops reading and closes the connection (the server then cancels the generation). */
    @Override
    public void close() {
        CompletableFuture<HttpResponse<InputStream>> r = response;
        if (r != null) {
            r.cancel(true);
        }
        InputStream body = in;
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                // closing is all that was wanted
            }
        }
    }
}
