package dev.cerebrum.server;

import dev.cerebrum.chat.TemplateRenderException;
import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.UnknownModelException;
import dev.cerebrum.guard.LoadTimeoutException;
import dev.cerebrum.guard.ModelNotLoadedException;
import dev.cerebrum.guard.ModelUnavailableException;
import dev.cerebrum.guard.OverloadedException;
import dev.cerebrum.guard.QueueFullException;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import java.lang.System.Logger.Level;

/**
 * The one place where failures become HTTP statuses, and where they are written: the error body of
 * {@code docs/wire.md}, or OpenAI's on the OpenAI-compatible routes.
 */
final class Errors {
    static final String JSON_TYPE = "application/json";
    private static final System.Logger LOG = System.getLogger(Errors.class.getName());
    /** Absolute paths, however they got into a message. */
    private static final Pattern PATH = Pattern.compile("(?<![\\w.])(?:[A-Za-z]:)?(?:[/\\\\][\\w.@+~-]+){2,}[/\\\\]?");
    /** Java exception class names, which say nothing useful to a client. */
    private static final Pattern EXCEPTION = Pattern.compile("\\b(?:[a-z_$][\\w$]*\\.)*[A-Z][\\w$]*(?:Exception|Error)\\b:?\\s*");
    private static final int MAX_MESSAGE = 300;
    /** A generation ended because the server is shutting down. */
    static final String SHUTTING_DOWN = "the server is shutting down";
    /** A generation cancelled by a forced unload of its model. */
    static final String UNLOADED = "the generation was cancelled: the model was unloaded";
    /** A generation cancelled otherwise. */
    static final String CANCELLED = "the generation was cancelled";

    private final Duration retryAfter;
    private final long maxBodyBytes;

    /**
     * @param retryAfter   the {@code Retry-After} of 503s that have no better estimate
     * @param maxBodyBytes {@code CEREBRUM_MAX_BODY_BYTES}, named by the 413 of a body refused before routing
     */
    Errors(Duration retryAfter, long maxBodyBytes) {
        this.retryAfter = retryAfter;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The error a failure becomes. Unexpected failures are logged with the request id. */
    ApiError map(Throwable t, String requestId) {
        return switch (t) {
            case ApiException e -> e.error();
            case GenerationFailedException e -> ended(e, requestId);
            case ContextOverflowException e -> ApiError.invalid("prompt", safe(e.getMessage()))
                    .withLimit(e.contextTokens());
            case InvalidRequestException e -> ApiError.invalid(e.field(), safe(e.getMessage()));
            case UnknownModelException e -> ApiError.of(404, "model_not_found",
                    "unknown model '" + shortName(e.model()) + "'");
            case ModelNotLoadedException e -> ApiError.of(404, "model_not_loaded", safe(e.getMessage()));
            case QueueFullException e -> ApiError.of(429, "queue_full", safe(e.getMessage()))
                    .withRetryAfter(e.retryAfter());
            case LoadTimeoutException e -> ApiError.unavailable("load_timeout", safe(e.getMessage()), retryAfter);
            case ModelUnavailableException e -> ApiError.unavailable("model_unavailable", safe(e.getMessage()),
                    retryAfter);
            case OverloadedException e -> ApiError.unavailable("overloaded", safe(e.reason()), e.retryAfter());
            case TemplateRenderException e -> ApiError.invalid("messages", templateRefusal(e));
            case InvalidModelException e -> {
                LOG.log(Level.WARNING, "rid=" + requestId + " model file cannot be used", e);
                yield ApiError.unavailable("model_unavailable", "the model file cannot be used", retryAfter);
            }
            case HttpException e -> fromStatus(e.status());
            default -> {
                LOG.log(Level.ERROR, "rid=" + requestId + " request failed", t);
                yield internal(requestId);
            }
        };
    }

    /**
     * A generation that ended without a result before anything was sent: one that never got a slot, or was
     * cancelled by an unload or shutdown, is a 503 the orchestrator can fall back on; an engine failure
     * after it started is a 500.
     */
    private ApiError ended(GenerationFailedException e, String requestId) {
        return switch (e.kind()) {
            case SHUTDOWN -> ApiError.unavailable("overloaded", SHUTTING_DOWN, retryAfter);
            case UNLOADED -> ApiError.unavailable("model_unavailable", UNLOADED, retryAfter);
            case CANCELLED -> ApiError.unavailable("model_unavailable", CANCELLED, retryAfter);
            case QUEUE_TIMEOUT -> ApiError.unavailable("queue_timeout", safe(e.error()), retryAfter);
            default -> {
                if (!e.started()) {
                    yield ApiError.unavailable("model_unavailable", safe(e.error()), retryAfter);
                }
                LOG.log(Level.WARNING, () -> "rid=" + requestId + " generation failed (" + e.kind().wireName() + "): "
                        + e.error());
                yield internal(requestId);
            }
        };
    }

    /**
     * The message of the error event that ends a stream that has started, for a generation that ended without
     * a result. An engine failure is logged with the request id and gets the generic message.
     */
    static String streamError(FailureKind kind, String error, boolean started, String requestId) {
        return switch (kind) {
            case SHUTDOWN -> SHUTTING_DOWN;
            case UNLOADED -> UNLOADED;
            case CANCELLED -> CANCELLED;
            default -> {
                if (!started) {
                    yield safe(error);
                }
                LOG.log(Level.WARNING, () -> "rid=" + requestId + " generation failed mid-stream (" + kind.wireName() + "): "
                        + error);
                yield "the inference engine failed; quote request id " + requestId + " when reporting it";
            }
        };
    }

    /**
     * True when a generation that ended without a result went away with the server or its model (a 503 when
     * nothing was sent yet), false for an engine failure after it started (a 500).
     */
    static boolean isUnavailable(FailureKind kind, boolean started) {
        return switch (kind) {
            case SHUTDOWN, UNLOADED, CANCELLED, QUEUE_TIMEOUT -> true;
            default -> !started;
        };
    }

    /** Why a chat template could not render a conversation, safe for the client who sent it. */
    private static String templateRefusal(TemplateRenderException e) {
        return switch (e.reason()) {
            case RAISED_BY_TEMPLATE -> "the model's chat template refused the conversation: " + safe(e.detail());
            case INVALID_OPERATION -> "the model's chat template cannot render this conversation: "
                    + (e.line() > 0 ? "line " + e.line() + ": " : "") + safe(e.detail());
            case LIMIT_EXCEEDED -> "the conversation is too large for the chat template's render limits: "
                    + safe(e.detail());
        };
    }

    /** The generic 500: nothing but the request id to quote. */
    static ApiError internal(String requestId) {
        return ApiError.of(500, "internal_error", "internal error; quote request id " + requestId + " when reporting it");
    }

    private ApiError fromStatus(Status status) {
        int code = status.code();
        return switch (code) {
            case 400 -> ApiError.invalid(null, "the request could not be read");
            case 404 -> ApiError.of(404, "not_found", "no such endpoint");
            case 405 -> ApiError.of(405, "method_not_allowed", "method not allowed on this endpoint");
            case 413 -> ApiError.bodyTooLarge(maxBodyBytes);
            case 414 -> ApiError.of(414, "uri_too_long", "the request line is too long");
            case 431 -> ApiError.of(431, "headers_too_large", "the request headers are too large");
            case 501 -> ApiError.of(501, "not_implemented", "the request uses an unsupported transfer encoding");
            case 505 -> ApiError.of(505, "http_version_not_supported", "only HTTP/1.1 is supported");
            default -> code >= 500 || code < 400
                    ? ApiError.of(500, "internal_error", "internal error")
                    : ApiError.of(code, "http_" + code, status.reasonPhrase());
        };
    }

    /**
     * Sends the answer to a failure ({@link #map}) unless the response has already started. It says
     * {@code Connection: close} only when the request's body could not be read to its end; the unread rest of a
     * body refused before it was read is read and discarded after the answer ({@link RequestFilter}), so the
     * connection stays usable and the client, still sending, reads the answer instead of a reset.
     */
    void send(ServerResponse res, Exchange ex, Throwable failure) {
        send(res, ex, map(failure, ex.requestId), failure instanceof ApiException e && e.endsConnection());
    }

    private void send(ServerResponse res, Exchange ex, ApiError error, boolean endsConnection) {
        ex.outcome(error.code());
        if (res.isSent()) {
            return;
        }
        res.status(Status.create(error.status()));
        res.header(HeaderNames.CONTENT_TYPE, JSON_TYPE);
        if (error.retryAfter() != null) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
        }
        if (error.status() == 401) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        if (endsConnection) {
            res.header(HeaderNames.CONNECTION, "close");
        }
        Object body = switch (ex.wire) {
            case NATIVE -> error.body(ex.requestId);
            case OPENAI_CHAT -> error.openAiBody(true);
            case OPENAI_COMPLETIONS -> error.openAiBody(false);
        };
        res.send(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The answers to requests Helidon refuses before routing (malformed request lines, headers or chunked bodies,
     * oversized headers, a body that declares more than the max payload size, HTTP/1.0 on a kept-alive connection):
     * the same error body as every other error, instead of Helidon's empty one. The connection ends after each
     * ({@link GuardedConnection} first reads, for a moment, what the client still sends).
     */
    DirectHandlers directHandlers() {
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, (request, event, status, headers, message) -> {
                ApiError error = status.code() == 503
                        ? ApiError.unavailable("overloaded", "too many concurrent requests", retryAfter)
                        : fromStatus(status);
                String requestId = Exchange.requestId(null);
                headers.set(HeaderNames.CONTENT_TYPE, JSON_TYPE);
                headers.set(HeaderNames.create(Exchange.REQUEST_ID_HEADER), requestId);
                if (error.retryAfter() != null) {
                    headers.set(HeaderNames.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
                }
                return DirectHandler.TransportResponse.builder()
                        .status(Status.create(error.status()))
                        .headers(headers)
                        .entity(Json.write(error.body(requestId)).getBytes(StandardCharsets.UTF_8))
                        .build();
            });
        }
        return builder.build();
    }

    /**
     * A whole HTTP/1.1 response for an answer given before any request was routed (a refused connection, bytes
     * that are not HTTP/1.1, a header timeout), with the usual error body; the connection closes after it.
     */
    static byte[] rawResponse(ApiError error, String requestId) {
        byte[] body = Json.write(error.body(requestId)).getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(256)
                .append("HTTP/1.1 ").append(error.status()).append(' ')
                .append(Status.create(error.status()).reasonPhrase()).append("\r\n")
                .append("Content-Type: ").append(JSON_TYPE).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n")
                .append(Exchange.REQUEST_ID_HEADER).append(": ").append(requestId).append("\r\n");
        if (error.retryAfter() != null) {
            head.append("Retry-After: ").append(error.retryAfterSeconds()).append("\r\n");
        }
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    /** A message from a library, with anything that looks like a path or a class name removed. */
    static String safe(String message) {
        if (message == null || message.isBlank()) {
            return "request failed";
        }
        String s = PATH.matcher(message).replaceAll("<path>");
        s = EXCEPTION.matcher(s).replaceAll("");
        s = s.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ').strip();
        if (s.length() > MAX_MESSAGE) {
            s = s.substring(0, MAX_MESSAGE) + "…";
        }
        return s.isEmpty() ? "request failed" : s;
    }

    /**
     * A message of this server's own making that may quote the client's input (a JSON pointer into its schema):
     * one line, bounded in length, but not stripped of what looks like a path.
     */
    static String bounded(String message) {
        String s = message.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ').strip();
        return s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) + "…" : s;
    }

    /** A client-supplied name, bounded for echoing. */
    static String shortName(String name) {
        if (name == null) {
            return "";
        }
        return safe(name.length() > 64 ? name.substring(0, 64) + "…" : name);
    }
}
