package dev.cerebrum.bench;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How each server of the peer comparison is asked for a stream and how its events read. Everything else, the HTTP
 * client, its settings and the timing, is the same code for both ({@link PeerClient}).
 */
enum PeerProtocol {
    /** Cerebrum's {@code POST /v1/inference/stream} (docs/wire.md). */
    CEREBRUM("ffm engine (Cerebrum)", "/v1/inference/stream"),
    /** llama-server's own {@code POST /completion} with {@code stream: true}. */
    LLAMA_SERVER("llama-server", "/completion");

    private final String label;
    private final String path;

    PeerProtocol(String label, String path) {
        this.label = label;
        this.path = path;
    }

    /** The server's name in the report. */
    String label() {
        return label;
    }

    /** The streaming endpoint's path. */
    String path() {
        return path;
    }

    /**
     * The request body: greedy (temperature 0, no repeat penalty), exactly {@code tokens} tokens (end of sequence
     * ignored), llama-server's prompt cache on as by default.
     */
    String body(String model, String prompt, int tokens) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", prompt);
        body.put("temperature", 0);
        body.put("repeat_penalty", 1.0);
        body.put("ignore_eos", true);
        switch (this) {
            case CEREBRUM -> {
                body.put("model", model);
                body.put("max_tokens", tokens);
            }
            case LLAMA_SERVER -> {
                body.put("n_predict", tokens);
                body.put("cache_prompt", true);
                body.put("stream", true);
            }
        }
        try {
            return JSON.std.asString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One event of a stream. */
    sealed interface Event {
        /** Tokens arrived: {@code completionTokens} counts every token so far. */
        record Tokens(int completionTokens) implements Event {
        }

        /**
         * The stream's last event.
         *
         * @param promptTokens     prompt tokens as the server counted them (-1 when not said)
         * @param completionTokens tokens generated
         * @param cachedTokens     prompt tokens the server took from its cache instead of processing (-1 when not said)
         * @param promptMs         the server's own time for the prompt, up to the first token (its
         *                         {@code timings.prompt_ms}; NaN when not said)
         * @param finishReason     why it ended, in the server's words
         */
        record Done(int promptTokens, int completionTokens, int cachedTokens, double promptMs, String finishReason)
                implements Event {
        }

        /** The stream failed. */
        record Failed(String message) implements Event {
        }

        /** Anything else (a start-of-processing event, a progress event). */
        record Other() implements Event {
        }
    }

    /** Reads the JSON of one {@code data:} line. */
    Event parse(String json) {
        Map<String, Object> m;
        try {
            m = JSON.std.mapFrom(json);
        } catch (IOException e) {
            return new Event.Failed("unreadable event: " + json);
        }
        if (m.get("error") != null) {
            Object error = m.get("error");
            return new Event.Failed(error instanceof Map<?, ?> e && e.get("message") != null
                    ? String.valueOf(e.get("message")) : String.valueOf(error));
        }
        return switch (this) {
            case CEREBRUM -> {
                if (Boolean.TRUE.equals(m.get("done"))) {
                    int completion = integer(m.get("completion_tokens"), integer(m.get("total_tokens"), -1));
                    yield new Event.Done(integer(m.get("prompt_tokens"), -1), completion, cached(m), promptMs(m),
                            String.valueOf(m.get("finish_reason")));
                }
                yield m.get("total_tokens") != null ? new Event.Tokens(integer(m.get("total_tokens"), 0)) : new Event.Other();
            }
            case LLAMA_SERVER -> {
                int predicted = integer(m.get("tokens_predicted"), 0);
                if (Boolean.TRUE.equals(m.get("stop"))) {
                    Object timings = m.get("timings");
                    int cached = timings instanceof Map<?, ?> t ? integer(t.get("cache_n"), -1) : -1;
                    yield new Event.Done(integer(m.get("tokens_evaluated"), -1), predicted, cached, promptMs(m),
                            String.valueOf(m.get("stop_type")));
                }
                yield m.get("tokens") instanceof List<?> t && !t.isEmpty() ? new Event.Tokens(predicted) : new Event.Other();
            }
        };
    }

    /** Cached prompt tokens in Cerebrum's done event, wherever a version puts them: a "cached" count, else -1. */
    private static int cached(Map<String, Object> done) {
        for (Map<?, ?> m : List.of(done, done.get("timings") instanceof Map<?, ?> t ? t : Map.of())) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (String.valueOf(e.getKey()).contains("cached") && e.getValue() instanceof Number n) {
                    return n.intValue();
                }
            }
        }
        return -1;
    }

    /** Both servers' last events say {@code timings.prompt_ms}: their time from taking the prompt to the first token. */
    private static double promptMs(Map<String, Object> done) {
        return done.get("timings") instanceof Map<?, ?> t && t.get("prompt_ms") instanceof Number n ? n.doubleValue()
                : Double.NaN;
    }

    private static int integer(Object value, int otherwise) {
        return value instanceof Number n ? n.intValue() : otherwise;
    }
}
