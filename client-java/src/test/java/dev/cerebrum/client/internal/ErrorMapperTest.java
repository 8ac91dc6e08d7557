package dev.cerebrum.client.internal;

import dev.cerebrum.client.CerebrumException;
import dev.cerebrum.client.ForbiddenException;
import dev.cerebrum.client.InvalidRequestException;
import dev.cerebrum.client.ModelNotFoundException;
import dev.cerebrum.client.OverloadedException;
import dev.cerebrum.client.ServerErrorException;
import dev.cerebrum.client.UnauthorizedException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorMapperTest {

    private static final URI EP = URI.create("http://127.0.0.1:9000");

    private static HttpHeaders headers(Map<String, List<String>> map) {
        return HttpHeaders.of(map, (k, v) -> true);
    }

    private static CerebrumException map(int status, Map<String, List<String>> headers, String body) {
        return ErrorMapper.map(status, headers(headers), body.getBytes(StandardCharsets.UTF_8), EP, "cj-sent", "demo");
    }

    @Test
    void a400_namesTheField() {
        InvalidRequestException e = assertInstanceOf(InvalidRequestException.class, map(400, Map.of(), """
                {"error": "invalid_request", "code": "invalid_request", "message": "temperature must be between 0 and 2",
                 "request_id": "r-1", "field": "temperature"}"""));
        assertEquals("temperature", e.field());
        assertEquals("r-1", e.requestId());
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("temperature must be between 0 and 2"));
        assertFalse(e.isRetriable());
    }

    @Test
    void a413_namesTheLimit() {
        InvalidRequestException e = assertInstanceOf(InvalidRequestException.class, map(413, Map.of(),
                "{\"error\": \"payload_too_large\", \"code\": \"payload_too_large\", \"message\": \"too big\", \"limit\": 1048576}"));
        assertEquals("1048576", e.limit());
        assertEquals("payload_too_large", e.code());
    }

    @Test
    void a401and403_mapToTheirTypes_withTheHeadersRequestIdWhenTheBodyHasNone() {
        CerebrumException e = map(401, Map.of("X-Request-ID", List.of("h-1")), "{\"error\": \"unauthorized\"}");
        assertInstanceOf(UnauthorizedException.class, e);
        assertEquals("h-1", e.requestId());
        assertInstanceOf(ForbiddenException.class, map(403, Map.of(), ""));
    }

    @Test
    void a404_tellsUnknownModelFromNotLoaded() {
        ModelNotFoundException unknown = assertInstanceOf(ModelNotFoundException.class,
                map(404, Map.of(), "{\"code\": \"model_not_found\", \"message\": \"unknown model\"}"));
        assertFalse(unknown.notLoaded());
        assertEquals("demo", unknown.model());
        ModelNotFoundException notLoaded = assertInstanceOf(ModelNotFoundException.class,
                map(404, Map.of(), "{\"code\": \"model_not_loaded\"}"));
        assertTrue(notLoaded.notLoaded());
        assertInstanceOf(InvalidRequestException.class, map(404, Map.of(), "{\"code\": \"not_found\"}"));
    }

    @Test
    void a503_readsTheCodeBesideTheOriginalsLiteralError_andRetryAfter() {
        OverloadedException e = assertInstanceOf(OverloadedException.class, map(503,
                Map.of("Retry-After", List.of("7")), """
                {"error": "VPS overloaded", "code": "overloaded", "reason": "CPU at 93%",
                 "suggestion": "Fallback to CM4 local inference", "retry_after_seconds": 7}"""));
        assertEquals(OverloadedException.Kind.OVERLOADED, e.kind());
        assertEquals(Duration.ofSeconds(7), e.retryAfter().orElseThrow());
        assertEquals("CPU at 93%", e.reason());
        assertFalse(e.isBusy());
        assertTrue(e.isRetriable());
        assertEquals("overloaded", e.code());
    }

    @Test
    void theOriginalBackends503_withoutCode_isOverloaded() {
        OverloadedException e = assertInstanceOf(OverloadedException.class,
                map(503, Map.of(), "{\"error\": \"VPS overloaded\", \"reason\": \"r\"}"));
        assertEquals("overloaded", e.code());
        assertTrue(e.retryAfter().isEmpty());
    }

    @Test
    void a429QueueFull_isBusy_andRateLimited_isNotRetriable() {
        OverloadedException busy = assertInstanceOf(OverloadedException.class, map(429, Map.of(),
                "{\"code\": \"queue_full\", \"retry_after_seconds\": 2}"));
        assertTrue(busy.isBusy());
        assertEquals(Duration.ofSeconds(2), busy.retryAfter().orElseThrow(), "body value when no header");
        OverloadedException limited = assertInstanceOf(OverloadedException.class, map(429,
                Map.of("Retry-After", List.of("60")), "{\"code\": \"rate_limited\"}"));
        assertEquals(OverloadedException.Kind.RATE_LIMITED, limited.kind());
        assertFalse(limited.isRetriable());
    }

    @Test
    void a500_carriesTheRequestId_andAnUnreadableBodyGivesAGenericMessage() {
        ServerErrorException e = assertInstanceOf(ServerErrorException.class, map(500, Map.of(),
                "{\"error\": \"internal_error\", \"code\": \"internal_error\", \"message\": \"internal error\", \"request_id\": \"r-5\"}"));
        assertEquals("r-5", e.requestId());
        ServerErrorException html = assertInstanceOf(ServerErrorException.class,
                map(502, Map.of(), "<html>/home/user/secret</html>"));
        assertEquals("HTTP 502 internal_error", html.getMessage(), "a body that is not our JSON is never echoed");
        assertEquals("cj-sent", html.requestId());
    }
}
