package dev.cerebrum.server;

import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.Timings;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /v1/inference} and {@code /v1/inference/stream}, the original backend's wire format, on the shared
 * {@link Generations} core.
 */
final class InferenceService implements HttpService {
    private final Generations generations;
    private final InferenceBody.Limits limits;

    InferenceService(Generations generations, InferenceBody.Limits limits) {
        this.generations = generations;
        this.limits = limits;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/inference", this::complete)
                .post("/v1/inference/stream", this::stream);
    }

    private InferenceBody body(ServerRequest req) {
        InferenceBody body = InferenceBody.parse(InferenceBody.read(req, limits), limits);
        Exchange.of(req).model(body.model());
        return body;
    }

    private void complete(ServerRequest req, ServerResponse res) {
        Exchange ex = Exchange.of(req);
        InferenceBody body = body(req);
        Generations.Completed done = generations.complete(ex, body.model(), body.request());
        GenerationEvent.Finished finished = done.finished();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", done.text());
        out.put("model", body.model());
        out.put("tokens_generated", finished.completionTokens());
        out.put("inference_time_seconds", Json.round(done.seconds(), 3));
        out.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        out.put("finish_reason", finished.reason().wireName());
        out.put("deadline_exceeded", finished.failure() == FailureKind.DEADLINE);
        out.put("prompt_tokens", finished.promptTokens());
        out.put("completion_tokens", finished.completionTokens());
        out.put("timings", timings(finished.timings()));
        out.put("request_id", ex.requestId);
        Responses.json(res, 200, out);
    }

    private void stream(ServerRequest req, ServerResponse res) {
        Exchange ex = Exchange.of(req);
        InferenceBody body = body(req);
        generations.stream(ex, body.model(), body.request(), res, new NativeEvents());
    }

    /** The original backend's events: {@code {"token", "total_tokens"}}, then {@code {"done": true, ...}}. */
    private static final class NativeEvents implements EventFormat {
        @Override
        public byte[] token(GenerationEvent.Token token) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("token", token.text());
            data.put("total_tokens", token.completionTokens());
            return Generations.data(data);
        }

        @Override
        public byte[] finished(GenerationEvent.Finished f, double seconds) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("done", true);
            data.put("total_tokens", f.completionTokens());
            data.put("inference_time", Json.round(seconds, 3));
            data.put("tokens_per_second", Json.round(seconds > 0 ? f.completionTokens() / seconds : 0, 2));
            data.put("finish_reason", f.reason().wireName());
            data.put("deadline_exceeded", f.failure() == FailureKind.DEADLINE);
            data.put("prompt_tokens", f.promptTokens());
            data.put("completion_tokens", f.completionTokens());
            data.put("timings", timings(f.timings()));
            return Generations.data(data);
        }

        @Override
        public byte[] error(String message, FinishReason reason, boolean unavailable, String requestId) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("error", message);
            data.put("done", true);
            data.put("finish_reason", reason.wireName());
            data.put("request_id", requestId);
            return Generations.data(data);
        }
    }

    static Map<String, Object> timings(Timings t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue_ms", Json.round(t.queueMillis(), 3));
        m.put("time_to_first_token_ms", Json.round(t.timeToFirstTokenMillis(), 3));
        m.put("prompt_ms", Json.round(t.promptMillis(), 3));
        m.put("decode_ms", Json.round(t.decodeMillis(), 3));
        m.put("prompt_tokens_per_second", Json.round(t.promptTokensPerSecond(), 2));
        m.put("decode_tokens_per_second", Json.round(t.decodeTokensPerSecond(), 2));
        m.put("total_ms", Json.round(t.totalMillis(), 3));
        m.put("cached_tokens", t.cachedTokens());
        return m;
    }
}
