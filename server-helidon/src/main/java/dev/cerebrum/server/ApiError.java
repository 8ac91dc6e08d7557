package dev.cerebrum.server;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One error response: its status and the fields of the one error shape of {@code docs/wire.md}.
 *
 * @param status     the HTTP status
 * @param code       the machine-readable code
 * @param message    a text safe for any client: no paths, no stack traces, no exception texts
 * @param field      the offending request field, or null
 * @param limit      the limit that was exceeded, or null
 * @param retryAfter when a retry may succeed, or null
 * @param reason     the original's 503 {@code reason}, or null
 */
record ApiError(int status, String code, String message, String field, Long limit, Duration retryAfter,
                String reason) {

    /** The original backend's 503 {@code error} value, which the orchestrator reads. */
    static final String OVERLOADED_ERROR = "VPS overloaded";
    /** The original backend's 503 {@code suggestion} value. */
    static final String SUGGESTION = "Fallback to CM4 local inference";

    static ApiError of(int status, String code, String message) {
        return new ApiError(status, code, message, null, null, null, null);
    }

    static ApiError invalid(String field, String message) {
        return new ApiError(400, "invalid_request", message, field, null, null, null);
    }

    /** A request body over {@code CEREBRUM_MAX_BODY_BYTES}, whether its length was declared or found by reading. */
    static ApiError bodyTooLarge(long maxBodyBytes) {
        return new ApiError(413, "payload_too_large", "the request body is larger than " + maxBodyBytes
                + " bytes (CEREBRUM_MAX_BODY_BYTES)", "body", maxBodyBytes, null, null);
    }

    static ApiError unavailable(String code, String reason, Duration retryAfter) {
        return new ApiError(503, code, reason, null, null, retryAfter, reason);
    }

    ApiError withField(String f) {
        return new ApiError(status, code, message, f, limit, retryAfter, reason);
    }

    ApiError withLimit(long l) {
        return new ApiError(status, code, message, field, l, retryAfter, reason);
    }

    ApiError withRetryAfter(Duration d) {
        return new ApiError(status, code, message, field, limit, d, reason);
    }

    /** Whole seconds for {@code Retry-After}, at least 1. */
    long retryAfterSeconds() {
        if (retryAfter == null) {
            return 0;
        }
        long s = (retryAfter.toMillis() + 999) / 1000;
        return Math.max(1, s);
    }

    /**
     * The body on the OpenAI-compatible routes: {@code {"error": {"message", "type", "code", "param"}}}, as
     * OpenAI and llama-server write it. On the chat route the prompt is the rendered {@code messages}.
     */
    Map<String, Object> openAiBody(boolean chat) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", openAiType());
        error.put("code", code);
        error.put("param", chat && "prompt".equals(field) ? "messages" : field);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        return body;
    }

    /** OpenAI's error {@code type} for the status (llama-server's {@code unavailable_error} for 503). */
    String openAiType() {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            case 503 -> "unavailable_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    /** The response body. */
    Map<String, Object> body(String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", status == 503 ? OVERLOADED_ERROR : code);
        body.put("code", code);
        body.put("message", message);
        body.put("request_id", requestId);
        if (field != null) {
            body.put("field", field);
        }
        if (limit != null) {
            body.put("limit", limit);
        }
        if (retryAfter != null) {
            body.put("retry_after_seconds", retryAfterSeconds());
        }
        if (status == 503) {
            body.put("reason", reason != null ? reason : message);
            body.put("suggestion", SUGGESTION);
        }
        return body;
    }
}
