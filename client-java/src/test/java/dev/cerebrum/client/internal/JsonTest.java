package dev.cerebrum.client.internal;

import dev.cerebrum.client.FinishReason;
import dev.cerebrum.client.Health;
import dev.cerebrum.client.InferenceRequest;
import dev.cerebrum.client.InferenceResponse;
import dev.cerebrum.client.ModelList;
import dev.cerebrum.client.Stats;
import dev.cerebrum.client.StreamEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    private static Map<String, Object> obj(String json) {
        return Json.object(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aMinimalRequest_sendsOnlyModelAndPrompt_soTheServerAppliesItsDefaults() {
        String json = new String(Json.encode(InferenceRequest.of("demo", "abc")), StandardCharsets.UTF_8);
        assertEquals("{\"prompt\":\"abc\",\"model\":\"demo\"}", json);
    }

    @Test
    void everyOptionalField_isSentUnderItsWireName_andMaxTokensIsNeverCapped() {
        InferenceRequest r = InferenceRequest.builder("demo", "abc").maxTokens(100_000).temperature(0.5)
                .stop("\n", "END").topP(0.9).topK(20).minP(0.1).repeatPenalty(1.2).seed(42).grammar("root ::= \"a\"")
                .ignoreEos(true).build();
        Map<String, Object> m = Json.object(Json.encode(r));
        assertEquals(100_000, m.get("max_tokens"));
        assertEquals(0.5, m.get("temperature"));
        assertEquals(List.of("\n", "END"), m.get("stop"));
        assertEquals(0.9, m.get("top_p"));
        assertEquals(20, m.get("top_k"));
        assertEquals(0.1, m.get("min_p"));
        assertEquals(1.2, m.get("repeat_penalty"));
        assertEquals(42, ((Number) m.get("seed")).intValue());
        assertEquals("root ::= \"a\"", m.get("grammar"));
        assertEquals(Boolean.TRUE, m.get("ignore_eos"));
        assertEquals(12, m.size());
    }

    @Test
    void anInferenceAnswer_mapsWireAndAddedFields() {
        InferenceResponse r = Json.inference(obj("""
                {"result": "defgh", "model": "demo", "tokens_generated": 5, "inference_time_seconds": 0.12,
                 "timestamp": "2026-11-25T17:00:00Z", "finish_reason": "length", "prompt_tokens": 4,
                 "completion_tokens": 5, "timings": {"queue_ms": 0.1, "time_to_first_token_ms": 3.2,
                 "prompt_ms": 3.0, "decode_ms": 8.1, "prompt_tokens_per_second": 1300.0,
                 "decode_tokens_per_second": 490.0, "total_ms": 12.0}, "request_id": "r-1", "future": [1]}
                """), "header-id");
        assertEquals("defgh", r.result());
        assertEquals(5, r.tokensGenerated());
        assertEquals(Instant.parse("2026-11-25T17:00:00Z"), r.timestamp());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(4, r.promptTokens());
        assertEquals(490.0, r.timings().decodeTokensPerSecond());
        assertEquals("r-1", r.requestId());
    }

    @Test
    void theOriginalBackendsInferenceAnswer_stillMaps() {
        InferenceResponse r = Json.inference(obj("""
                {"result": "x", "model": "qwen_7b", "tokens_generated": 1, "inference_time_seconds": 0.1,
                 "timestamp": "2026-11-25T17:00:00"}"""), "header-id");
        assertEquals(FinishReason.UNKNOWN, r.finishReason());
        assertEquals(-1, r.promptTokens());
        assertTrue(Double.isNaN(r.timings().totalMillis()));
        assertNull(r.timestamp(), "a timestamp without zone is not an instant");
        assertEquals("header-id", r.requestId());
    }

    @Test
    void anAnswerWithoutItsWireFields_isAWireFormatError() {
        assertThrows(WireFormatException.class, () -> Json.inference(obj("{\"model\": \"demo\"}"), null));
        assertThrows(WireFormatException.class, () -> Json.object("[1,2]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(WireFormatException.class, () -> Json.object("{oops".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void health_models_andStats_map() {
        Health h = Json.health(obj("""
                {"status": "overloaded", "available": false, "cpu_usage_percent": 91.5, "ram_available_gb": 20.1,
                 "ram_used_gb": 3.2, "models_in_cache": ["demo"], "uptime_seconds": 42.0}"""));
        assertFalse(h.healthy());
        assertEquals(List.of("demo"), h.modelsInCache());

        ModelList m = Json.models(obj("""
                {"available_models": ["demo"], "cached_models": [], "inference_counts": {"demo": 3},
                 "models": [{"name": "demo", "state": "ready", "available": true, "reason": null,
                 "context_size": 512, "parallel": 2, "threads": 1, "slots_busy": 1, "in_flight": 2, "queued": 1,
                 "memory_estimate_bytes": 123, "rss_bytes": 456, "last_used": "2026-11-25T17:00:00Z",
                 "loaded_at": null, "load_ms": 310.0, "pinned": false, "idle_unload_minutes": 60,
                 "inference_count": 3}]}"""));
        assertEquals(3L, m.inferenceCounts().get("demo"));
        assertEquals(1, m.model("demo").orElseThrow().slotsBusy());
        assertNull(m.model("demo").orElseThrow().loadedAt());

        Stats s = Json.stats(obj("""
                {"system": {"cpu_usage_percent": 1.0, "ram_available_gb": 20.0, "ram_used_gb": 3.0, "uptime_seconds": 10.0},
                 "models": {"cached": ["demo"], "count": 1, "inference_counts": {"demo": 3},
                            "last_used": {"demo": "2026-11-25T17:00:00Z"}},
                 "queues": {"demo": {"queued": 0, "in_flight": 1, "slots_busy": 1, "slots_total": 2}},
                 "refusals": {"cpu": 2, "memory": 0, "queue_full": 1, "max_models": 0},
                 "tokens": {"prompt": 12, "completion": 30}}"""));
        assertEquals(2, s.queues().get("demo").slotsTotal());
        assertEquals(2L, s.refusals().get("cpu"));
        assertEquals(30L, s.tokens().completion());
        assertEquals(Instant.parse("2026-11-25T17:00:00Z"), s.models().lastUsed().get("demo"));
    }

    @Test
    void streamEvents_tokenDoneAndError() {
        assertEquals(new StreamEvent.Token("d", 1), Json.event("{\"token\": \"d\", \"total_tokens\": 1}"));
        StreamEvent.Done done = assertInstanceOf(StreamEvent.Done.class, Json.event("""
                {"done": true, "total_tokens": 2, "inference_time": 0.05, "tokens_per_second": 40.0,
                 "finish_reason": "stop", "prompt_tokens": 4, "completion_tokens": 2, "timings": {"total_ms": 50.0}}"""));
        assertEquals(FinishReason.STOP, done.finishReason());
        assertEquals(50.0, done.timings().totalMillis());
        assertEquals(new StreamEvent.Error("engine failed", "r-9"), Json.event(
                "{\"error\": \"engine failed\", \"done\": true, \"finish_reason\": \"error\", \"request_id\": \"r-9\"}"));
    }

    @Test
    void anErrorDoneEvent_isAnError_neverASuccess() {
        // The original client stopped at the first done event even when it was an error.
        assertInstanceOf(StreamEvent.Error.class, Json.event("{\"error\": \"x\", \"done\": true}"));
        assertInstanceOf(StreamEvent.Error.class, Json.event("{\"done\": true, \"finish_reason\": \"error\", \"total_tokens\": 3}"));
    }

    @Test
    void anEventOfNoKnownShape_isAWireFormatError() {
        assertThrows(WireFormatException.class, () -> Json.event("{\"hello\": 1}"));
        assertThrows(WireFormatException.class, () -> Json.event("not json"));
    }
}
