package dev.cerebrum.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one client of the peer comparison: the same JDK HTTP client, settings, stream reading and timing for both
 * servers; only the request body and the event fields differ ({@link PeerProtocol}).
 */
final class PeerClient implements AutoCloseable {
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

    private final HttpClient http;
    private final PeerProtocol protocol;
    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final AtomicInteger retries = new AtomicInteger();

    /**
     * A client of one server.
     *
     * @param protocol the server's protocol
     * @param base     its base address, for example {@code http://127.0.0.1:8080}
     * @param apiKey   the key to send in {@code X-API-Key}, or null
     * @param model    the model name to ask for (Cerebrum's registry name; llama-server ignores it)
     */
    PeerClient(PeerProtocol protocol, URI base, String apiKey, String model) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build();
        this.protocol = protocol;
        this.endpoint = base.resolve(protocol.path());
        this.apiKey = apiKey;
        this.model = model;
    }

    PeerProtocol protocol() {
        return protocol;
    }

    /** Requests sent a second time because the first attempt failed before the server answered. */
    int retries() {
        return retries.get();
    }

    /**
     * One stream as its consumer saw it.
     *
     * @param sample          the timings and counts
     * @param cachedTokens    prompt tokens the server took from its cache (-1 when it did not say)
     * @param serverPromptMs  the server's own time for the prompt, up to the first token (NaN when it did not say)
     * @param startNanos      when the request was sent (nanoTime)
     * @param firstTokenNanos when its first token arrived (nanoTime)
     */
    record Run(RunSample sample, int cachedTokens, double serverPromptMs, long startNanos, long firstTokenNanos) {
    }

    /** One greedy stream of exactly {@code tokens} tokens, read to its end. */
    Run stream(String prompt, int tokens) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(protocol.body(model, prompt, tokens), StandardCharsets.UTF_8));
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        TokenClock clock = new TokenClock();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            // A kept-alive connection the server had closed (llama-server closes one after a few requests): the
            // request never reached it. Once more on a fresh connection, timed from the new attempt.
            retries.incrementAndGet();
            clock = new TokenClock();
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                String body = in.lines().limit(5).reduce("", (a, b) -> a + b);
                throw new IOException(protocol.label() + " answered " + response.statusCode() + ": "
                        + body.substring(0, Math.min(300, body.length())));
            }
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                switch (protocol.parse(line.substring(5).strip())) {
                    case PeerProtocol.Event.Tokens t -> clock.tokens(t.completionTokens());
                    case PeerProtocol.Event.Done d -> {
                        RunSample sample = clock.sample(d.promptTokens(), d.completionTokens(), d.finishReason(),
                                Double.NaN);
                        return new Run(sample, d.cachedTokens(), d.promptMs(), clock.startNanos(), clock.firstNanos());
                    }
                    case PeerProtocol.Event.Failed f -> throw new IOException(protocol.label() + ": " + f.message());
                    case PeerProtocol.Event.Other o -> { }
                }
            }
        }
        throw new IOException(protocol.label() + ": the stream ended without its last event");
    }

    /** Streams started at once, one per prompt. */
    HttpPath.Burst concurrent(java.util.List<String> prompts, int tokens) throws InterruptedException {
        return HttpPath.concurrent(prompts, prompt -> stream(prompt, tokens).sample());
    }

    @Override
    public void close() {
        http.close();
    }
}
