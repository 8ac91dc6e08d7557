package dev.cerebrum.client.internal;

import dev.cerebrum.client.CerebrumException;
import dev.cerebrum.client.ForbiddenException;
import dev.cerebrum.client.InvalidRequestException;
import dev.cerebrum.client.ModelNotFoundException;
import dev.cerebrum.client.OverloadedException;
import dev.cerebrum.client.ServerErrorException;
import dev.cerebrum.client.UnauthorizedException;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/** Turns a non-200 answer into its typed exception: the one place that knows the error table of docs/wire.md. */
public final class ErrorMapper {

    private static final int MAX_MESSAGE = 500;

    private ErrorMapper() {
    }

    /**
     * @param status        the HTTP status
     * @param headers       the response headers
     * @param body          the response body (possibly empty, possibly not JSON)
     * @param endpoint      the endpoint that answered
     * @param sentRequestId the request id the client sent
     * @param model         the model the call was about, or null
     */
    public static CerebrumException map(int status, HttpHeaders headers, byte[] body, URI endpoint,
                                        String sentRequestId, String model) {
        Map<String, Object> m = parse(body);
        String code = Json.str(m, "code");
        if (code == null) {
            String error = Json.str(m, "error");
            code = error != null && !error.contains(" ") ? error : defaultCode(status);
        }
        String serverMessage = Json.str(m, "message");
        if (serverMessage == null) {
            serverMessage = Json.str(m, "error");
        }
        String requestId = Json.str(m, "request_id");
        if (requestId == null) {
            requestId = headers.firstValue("X-Request-ID").orElse(sentRequestId);
        }
        String message = "HTTP " + status + " " + code + (serverMessage == null ? "" : ": " + clip(serverMessage));
        return switch (status) {
            case 400, 413 -> new InvalidRequestException(message, status, code, Json.str(m, "field"),
                    Json.str(m, "limit"), requestId, endpoint);
            case 401 -> new UnauthorizedException(message, requestId, endpoint);
            case 403 -> new ForbiddenException(message, requestId, endpoint);
            case 404 -> code.equals("model_not_found") || code.equals("model_not_loaded")
                    ? new ModelNotFoundException(message, code, model, requestId, endpoint)
                    : new InvalidRequestException(message, status, code, null, null, requestId, endpoint);
            case 429, 503 -> new OverloadedException(message, status, code, kind(status, code),
                    retryAfter(headers, m).orElse(null), Json.str(m, "reason"), requestId, endpoint);
            default -> status >= 400 && status < 500
                    ? new InvalidRequestException(message, status, code, Json.str(m, "field"), Json.str(m, "limit"),
                    requestId, endpoint)
                    : new ServerErrorException(message, status, code, requestId, endpoint, null);
        };
    }

    /** The refusal's delay: the {@code Retry-After} header (seconds or an HTTP date), else {@code retry_after_seconds}. */
    public static Optional<Duration> retryAfter(HttpHeaders headers, Map<String, Object> body) {
        Optional<String> header = headers.firstValue("Retry-After").map(String::trim);
        if (header.isPresent()) {
            String v = header.get();
            try {
                long seconds = Long.parseLong(v);
                if (seconds >= 0) {
                    return Optional.of(Duration.ofSeconds(seconds));
                }
            } catch (NumberFormatException notSeconds) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                    return Optional.of(d.isNegative() ? Duration.ZERO : d);
                } catch (DateTimeParseException ignored) {
                    // Neither form: fall back to the body.
                }
            }
        }
        if (body.get("retry_after_seconds") instanceof Number n && n.doubleValue() >= 0) {
            return Optional.of(Duration.ofMillis(Math.round(n.doubleValue() * 1000)));
        }
        return Optional.empty();
    }

    static OverloadedException.Kind kind(int status, String code) {
        return switch (code) {
            case "queue_full" -> OverloadedException.Kind.QUEUE_FULL;
            case "rate_limited" -> OverloadedException.Kind.RATE_LIMITED;
            case "model_unavailable" -> OverloadedException.Kind.MODEL_UNAVAILABLE;
            case "load_timeout" -> OverloadedException.Kind.LOAD_TIMEOUT;
            default -> status == 429 ? OverloadedException.Kind.QUEUE_FULL : OverloadedException.Kind.OVERLOADED;
        };
    }

    private static String defaultCode(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            case 429 -> "queue_full";
            case 503 -> "overloaded";
            default -> status >= 500 ? "internal_error" : "http_" + status;
        };
    }

    private static Map<String, Object> parse(byte[] body) {
        if (body == null || body.length == 0) {
            return Map.of();
        }
        try {
            return Json.object(body);
        } catch (WireFormatException e) {
            return Map.of();
        }
    }

    private static String clip(String s) {
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
    }
}
