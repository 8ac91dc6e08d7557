package dev.cerebrum.server;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.UnknownModelException;
import dev.cerebrum.guard.LoadTimeoutException;
import dev.cerebrum.guard.ModelNotLoadedException;
import dev.cerebrum.guard.ModelUnavailableException;
import dev.cerebrum.guard.OverloadedException;
import dev.cerebrum.guard.QueueFullException;
import dev.cerebrum.guard.Refusal;
import dev.cerebrum.engine.FailureKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorsTest {
    private final Errors errors = new Errors(Duration.ofSeconds(5), 4096);

    @Test
    void typedExceptions_mapToTheWireTable() {
        assertMapped(new UnknownModelException("nope"), 404, "model_not_found");
        assertMapped(new ModelNotLoadedException("demo"), 404, "model_not_loaded");
        assertMapped(new InvalidRequestException("top_p", "top_p must be greater than 0"), 400, "invalid_request");
        assertMapped(new ContextOverflowException(900, 256), 400, "invalid_request");
        assertMapped(new QueueFullException("demo", Duration.ofSeconds(3)), 429, "queue_full");
        assertMapped(new OverloadedException(Refusal.CPU, "CPU 95% is above the limit of 70%", Duration.ofSeconds(5)), 503,
                "overloaded");
        assertMapped(new ModelUnavailableException("demo", "model file 'x.gguf' is missing"), 503, "model_unavailable");
        assertMapped(new LoadTimeoutException("demo", Duration.ofSeconds(120)), 503, "load_timeout");
        assertMapped(new InvalidModelException("bad file /home/u/models/x.gguf"), 503, "model_unavailable");
        assertMapped(new EngineFailureException("worker died"), 500, "internal_error");
        assertMapped(new IllegalStateException("at /work/secret/path"), 500, "internal_error");
    }

    @ParameterizedTest(name = "{0}, started {1} -> {2} {3}")
    @CsvSource({
            "QUEUE_TIMEOUT,     false, 503, queue_timeout",
            "UNLOADED,          false, 503, model_unavailable",
            "UNLOADED,          true,  503, model_unavailable",
            "SHUTDOWN,          false, 503, overloaded",
            "SHUTDOWN,          true,  503, overloaded",
            "CANCELLED,         true,  503, model_unavailable",
            "MODEL_UNAVAILABLE, false, 503, model_unavailable",
            "WORKER_LOST,       false, 503, model_unavailable",
            "WORKER_LOST,       true,  500, internal_error",
            "ENGINE_FAILURE,    false, 503, model_unavailable",
            "ENGINE_FAILURE,    true,  500, internal_error",
    })
    void aGenerationThatEndedWithoutAResult_mapsByItsKind(FailureKind kind, boolean started, int status, String code) {
        ApiError e = errors.map(new GenerationFailedException(kind, "failed at /srv/models/x.gguf", started), "rid");
        assertEquals(status, e.status());
        assertEquals(code, e.code());
        if (status == 503) {
            assertEquals(5L, e.retryAfterSeconds());
        }
        assertFalse(Json.write(e.body("rid")).contains("/srv"), e.toString());
    }

    @Test
    void theReasonOfAGenerationThatEndedEarly_isTheKindsNotTheText() {
        assertEquals("timed out waiting for a free slot", errors.map(new GenerationFailedException(
                FailureKind.QUEUE_TIMEOUT, "timed out waiting for a free slot", false), "rid").body("rid").get("reason"));
        assertEquals("the generation was cancelled: the model was unloaded", errors.map(new GenerationFailedException(
                FailureKind.UNLOADED, null, true), "rid").body("rid").get("reason"));
        assertEquals("the server is shutting down", Errors.streamError(FailureKind.SHUTDOWN, null, true, "rid"));
        assertEquals("the generation was cancelled: the model was unloaded",
                Errors.streamError(FailureKind.UNLOADED, "model 'm' was unloaded", true, "rid"));
        assertEquals("the inference engine failed; quote request id rid when reporting it",
                Errors.streamError(FailureKind.WORKER_LOST, "worker exited", true, "rid"));
        assertEquals("timed out waiting for a free slot",
                Errors.streamError(FailureKind.QUEUE_TIMEOUT, "timed out waiting for a free slot", false, "rid"));
    }

    @Test
    void overload_carriesTheOriginalsFields_andRetryAfter() {
        ApiError e = errors.map(new OverloadedException(Refusal.CPU, "CPU 95% is above the limit of 70%",
                Duration.ofMillis(4200)), "rid");
        Map<String, Object> body = e.body("rid");
        assertEquals("VPS overloaded", body.get("error"));
        assertEquals("overloaded", body.get("code"));
        assertEquals("CPU 95% is above the limit of 70%", body.get("reason"));
        assertEquals("Fallback to CM4 local inference", body.get("suggestion"));
        assertEquals(5L, body.get("retry_after_seconds"));
        assertEquals(5L, e.retryAfterSeconds());
        assertEquals("rid", body.get("request_id"));
    }

    @Test
    void contextOverflow_namesThePromptAndBothCounts() {
        ApiError e = errors.map(new ContextOverflowException(900, 256), "rid");
        assertEquals("prompt", e.field());
        assertEquals(256L, e.limit());
        assertTrue(e.message().contains("900") && e.message().contains("256"), e.message());
    }

    @Test
    void internalErrors_sayNothingButTheRequestId() {
        ApiError e = errors.map(new RuntimeException("java.io.IOException: /home/x/.ssh/id_rsa"), "r-42");
        Map<String, Object> body = e.body("r-42");
        assertEquals("internal_error", body.get("error"));
        String text = Json.write(body);
        assertFalse(text.contains("/home"), text);
        assertFalse(text.contains("Exception"), text);
        assertTrue(text.contains("r-42"), text);
    }

    @Test
    void safe_removesPathsAndClassNames() {
        String s = Errors.safe("java.io.UncheckedIOException: cannot open /tmp/run/w1.sock\n\tat x.y(Z.java:1)");
        assertFalse(s.contains("/tmp"), s);
        assertFalse(s.contains("Exception"), s);
        assertFalse(s.contains("\t"), s);
        assertEquals("model 'qwen_7b' is busy", Errors.safe("model 'qwen_7b' is busy"));
    }

    private void assertMapped(Throwable t, int status, String code) {
        ApiError e = errors.map(t, "rid");
        assertEquals(status, e.status(), t.toString());
        assertEquals(code, e.code(), t.toString());
        String body = Json.write(e.body("rid"));
        assertFalse(body.contains("/home") || body.contains("/work") || body.contains("/tmp"), body);
        assertFalse(body.contains("Exception"), body);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "400, invalid_request_error",
            "401, authentication_error",
            "403, permission_error",
            "404, not_found_error",
            "405, invalid_request_error",
            "413, invalid_request_error",
            "429, rate_limit_error",
            "500, server_error",
            "503, unavailable_error"})
    void openAiBody_hasOpenAisFourFields_withTheTypeOfTheStatus(int status, String type) {
        ApiError error = new ApiError(status, "some_code", "what happened", "top_p", 7L, Duration.ofSeconds(2), "r");

        Map<String, Object> body = error.openAiBody(false);

        assertEquals(Map.of("error", Map.of("message", "what happened", "type", type, "code", "some_code",
                "param", "top_p")), body);
    }

    @Test
    void openAiBody_onTheChatRoute_namesMessagesForThePrompt() {
        ApiError overflow = errors.map(new ContextOverflowException(900, 256), "rid");

        assertEquals("messages", ((Map<?, ?>) overflow.openAiBody(true).get("error")).get("param"));
        assertEquals("prompt", ((Map<?, ?>) overflow.openAiBody(false).get("error")).get("param"));
        assertEquals(null, ((Map<?, ?>) ApiError.of(401, "unauthorized", "no key").openAiBody(true).get("error"))
                .get("param"));
    }

    @Test
    void templateRefusals_are400sOnMessages_quotingTheTemplate() {
        dev.cerebrum.chat.ChatTemplate raising = dev.cerebrum.chat.ChatTemplate.parse(
                "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}");
        RuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> raising.render(dev.cerebrum.chat.TemplateInput.of(java.util.List.of())));

        ApiError error = errors.map(refused, "rid");

        assertEquals(400, error.status());
        assertEquals("messages", error.field());
        assertEquals("the model's chat template refused the conversation: Conversation roles must alternate "
                + "user/assistant/user/assistant/...", error.message());
    }
}
