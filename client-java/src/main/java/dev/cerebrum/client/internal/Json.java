package dev.cerebrum.client.internal;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.cerebrum.client.CleanupResult;
import dev.cerebrum.client.FinishReason;
import dev.cerebrum.client.Health;
import dev.cerebrum.client.InferenceRequest;
import dev.cerebrum.client.InferenceResponse;
import dev.cerebrum.client.LoadResult;
import dev.cerebrum.client.ModelList;
import dev.cerebrum.client.ModelStatus;
import dev.cerebrum.client.Stats;
import dev.cerebrum.client.StreamEvent;
import dev.cerebrum.client.Timings;
import dev.cerebrum.client.UnloadResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format (docs/wire.md) mapped by hand onto the API records, through jackson-jr's
 * untyped maps: no reflection into the exported records, and fields the server adds later are
 * ignored. Wire fields the original orchestrator reads are required; the added ones default.
 */
public final class Json {

    private static final JSON JSON_STD = JSON.std;

    private Json() {
    }

    /** The request body: only the fields that are set. */
    public static byte[] encode(InferenceRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", r.prompt());
        m.put("model", r.model());
        putIfSet(m, "max_tokens", r.maxTokens());
        putIfSet(m, "temperature", r.temperature());
        putIfSet(m, "stop", r.stop());
        putIfSet(m, "top_p", r.topP());
        putIfSet(m, "top_k", r.topK());
        putIfSet(m, "min_p", r.minP());
        putIfSet(m, "repeat_penalty", r.repeatPenalty());
        putIfSet(m, "seed", r.seed());
        putIfSet(m, "grammar", r.grammar());
        putIfSet(m, "ignore_eos", r.ignoreEos());
        try {
            return JSON_STD.asBytes(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** A JSON object; throws {@link WireFormatException} for anything else. */
    public static Map<String, Object> object(byte[] body) {
        try {
            Object any = JSON_STD.anyFrom(body);
            if (any instanceof Map<?, ?> map) {
                return cast(map);
            }
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException("the server's answer is not valid JSON", e);
        }
        throw new WireFormatException("the server's answer is not a JSON object");
    }

    /** A JSON object from an event's data. */
    public static Map<String, Object> object(String data) {
        return object(data.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code GET /health}. */
    public static Health health(Map<String, Object> m) {
        return new Health(requireString(m, "status"), bool(m, "available", false), dbl(m, "cpu_usage_percent"),
                dbl(m, "ram_available_gb"), dbl(m, "ram_used_gb"), strings(m, "models_in_cache"),
                dbl(m, "uptime_seconds"));
    }

    /** {@code GET /v1/models}. */
    public static ModelList models(Map<String, Object> m) {
        require(m, "available_models");
        List<ModelStatus> details = new ArrayList<>();
        for (Map<String, Object> d : objects(m, "models")) {
            details.add(new ModelStatus(requireString(d, "name"), str(d, "state"), bool(d, "available", true),
                    str(d, "reason"), integer(d, "context_size"), integer(d, "parallel"), integer(d, "threads"),
                    integer(d, "slots_busy"), integer(d, "in_flight"), integer(d, "queued"),
                    lng(d, "memory_estimate_bytes"), lng(d, "rss_bytes"), instant(d, "last_used"),
                    instant(d, "loaded_at"), dbl(d, "load_ms"), bool(d, "pinned", false),
                    integer(d, "idle_unload_minutes"), lng(d, "inference_count")));
        }
        return new ModelList(strings(m, "available_models"), strings(m, "cached_models"),
                longs(m, "inference_counts"), details);
    }

    /** {@code GET /v1/stats}. */
    public static Stats stats(Map<String, Object> m) {
        Map<String, Object> sys = obj(require(m, "system"));
        Map<String, Object> mod = obj(require(m, "models"));
        Map<String, Stats.Queue> queues = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : obj(m.get("queues")).entrySet()) {
            Map<String, Object> q = obj(e.getValue());
            queues.put(e.getKey(), new Stats.Queue(integer(q, "queued"), integer(q, "in_flight"),
                    integer(q, "slots_busy"), integer(q, "slots_total")));
        }
        Map<String, Instant> lastUsed = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : obj(mod.get("last_used")).entrySet()) {
            Instant t = parseInstant(e.getValue());
            if (t != null) {
                lastUsed.put(e.getKey(), t);
            }
        }
        Map<String, Object> tokens = obj(m.get("tokens"));
        return new Stats(
                new Stats.Host(dbl(sys, "cpu_usage_percent"), dbl(sys, "ram_available_gb"), dbl(sys, "ram_used_gb"),
                        dbl(sys, "uptime_seconds")),
                new Stats.Models(strings(mod, "cached"), integer(mod, "count"), longs(mod, "inference_counts"),
                        lastUsed),
                queues, longs(m, "refusals"),
                new Stats.Tokens(lngOr(tokens, "prompt", 0), lngOr(tokens, "completion", 0)));
    }

    /** {@code POST /v1/inference}. */
    public static InferenceResponse inference(Map<String, Object> m, String headerRequestId) {
        int generated = requireInt(m, "tokens_generated");
        String requestId = str(m, "request_id");
        return new InferenceResponse(requireString(m, "result"), requireString(m, "model"), generated,
                dbl(m, "inference_time_seconds"), instant(m, "timestamp"),
                FinishReason.fromWire(str(m, "finish_reason")), integer(m, "prompt_tokens"),
                integer(m, "completion_tokens"), timings(m.get("timings")),
                requestId != null ? requestId : headerRequestId);
    }

    /** {@code POST /v1/load/{model}}. */
    public static LoadResult load(Map<String, Object> m) {
        return new LoadResult(requireString(m, "status"), requireString(m, "model"), bool(m, "already_loaded", false),
                dbl(m, "load_time_seconds"), lng(m, "memory_estimate_bytes"), lng(m, "rss_bytes"));
    }

    /** {@code POST /v1/unload/{model}}. */
    public static UnloadResult unload(Map<String, Object> m) {
        return new UnloadResult(requireString(m, "status"), requireString(m, "model"),
                (int) lngOr(m, "cancelled_generations", 0));
    }

    /** {@code POST /v1/cleanup}. */
    public static CleanupResult cleanup(Map<String, Object> m) {
        return new CleanupResult(requireString(m, "status"), strings(m, "models_removed"),
                strings(m, "models_remaining"));
    }

    /** One stream event from a {@code data:} payload. */
    public static StreamEvent event(String data) {
        Map<String, Object> m = object(data);
        Object error = m.get("error");
        boolean done = bool(m, "done", false);
        if (error != null || (done && "error".equals(str(m, "finish_reason")))) {
            String message = error == null ? "the generation failed" : String.valueOf(error);
            return new StreamEvent.Error(message, str(m, "request_id"));
        }
        if (done) {
            int total = requireInt(m, "total_tokens");
            return new StreamEvent.Done(total, dbl(m, "inference_time"), dbl(m, "tokens_per_second"),
                    FinishReason.fromWire(str(m, "finish_reason")), integer(m, "prompt_tokens"),
                    integer(m, "completion_tokens"), timings(m.get("timings")));
        }
        if (m.get("token") instanceof String token) {
            return new StreamEvent.Token(token, requireInt(m, "total_tokens"));
        }
        throw new WireFormatException("a stream event is neither a token, a done nor an error event");
    }

    static Timings timings(Object value) {
        if (!(value instanceof Map<?, ?>)) {
            return Timings.UNKNOWN;
        }
        Map<String, Object> t = obj(value);
        return new Timings(dbl(t, "queue_ms"), dbl(t, "time_to_first_token_ms"), dbl(t, "prompt_ms"),
                dbl(t, "decode_ms"), dbl(t, "prompt_tokens_per_second"), dbl(t, "decode_tokens_per_second"),
                dbl(t, "total_ms"));
    }

    // --- field helpers: added fields are lenient, wire fields are required ---

    /** A string field, or null. */
    public static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : String.valueOf(v);
    }

    static Object require(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new WireFormatException("the server's answer lacks \"" + key + "\"");
        }
        return v;
    }

    static String requireString(Map<String, Object> m, String key) {
        if (require(m, key) instanceof String s) {
            return s;
        }
        throw new WireFormatException("\"" + key + "\" is not a string");
    }

    static int requireInt(Map<String, Object> m, String key) {
        if (require(m, key) instanceof Number n) {
            return n.intValue();
        }
        throw new WireFormatException("\"" + key + "\" is not a number");
    }

    static int integer(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.intValue() : -1;
    }

    static long lng(Map<String, Object> m, String key) {
        return lngOr(m, key, -1);
    }

    static long lngOr(Map<String, Object> m, String key, long fallback) {
        return m.get(key) instanceof Number n ? n.longValue() : fallback;
    }

    static double dbl(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    static boolean bool(Map<String, Object> m, String key, boolean fallback) {
        return m.get(key) instanceof Boolean b ? b : fallback;
    }

    static List<String> strings(Map<String, Object> m, String key) {
        List<String> out = new ArrayList<>();
        if (m.get(key) instanceof List<?> list) {
            for (Object o : list) {
                if (o != null) {
                    out.add(String.valueOf(o));
                }
            }
        }
        return out;
    }

    static List<Map<String, Object>> objects(Map<String, Object> m, String key) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (m.get(key) instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> map) {
                    out.add(cast(map));
                }
            }
        }
        return out;
    }

    static Map<String, Long> longs(Map<String, Object> m, String key) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : obj(m.get(key)).entrySet()) {
            if (e.getValue() instanceof Number n) {
                out.put(e.getKey(), n.longValue());
            }
        }
        return out;
    }

    static Map<String, Object> obj(Object value) {
        return value instanceof Map<?, ?> map ? cast(map) : Map.of();
    }

    static Instant instant(Map<String, Object> m, String key) {
        return parseInstant(m.get(key));
    }

    private static Instant parseInstant(Object value) {
        if (!(value instanceof String s)) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}
