package dev.cerebrum.server;

import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.Timings;
import dev.cerebrum.guard.ModelManager;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.lang.System.Logger.Level;

/**
 * {@code /v1/inference} and {@code /v1/inference/stream}. Admission, queueing and generation happen in the
 * model manager; a handler only waits on the generation's event queue, which is cheap on a virtual thread.
 */
final class InferenceService implements HttpService {
    /** A comment line that keeps a quiet stream alive; data-line readers skip it. */
    static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private static final System.Logger LOG = System.getLogger(InferenceService.class.getName());

    private final ModelManager manager;
    private final InferenceBody.Limits limits;
    private final Duration heartbeat;
    private final Duration retryAfter;
    private final Set<Generation> active = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    InferenceService(ModelManager manager, InferenceBody.Limits limits, Duration heartbeat, Duration retryAfter) {
        this.manager = manager;
        this.limits = limits;
        this.heartbeat = heartbeat;
        this.retryAfter = retryAfter;
    }

    /**
     * Ends every running generation, just before the shutdown grace period runs out, so that each client gets
     * a clear answer (a 503 or a final error event) rather than a cut connection.
     */
    void cancelAll() {
        shuttingDown = true;
        active.forEach(Generation::cancel);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/inference", this::complete)
                .post("/v1/inference/stream", this::stream);
    }

    private InferenceBody body(ServerRequest req, ServerResponse res) {
        byte[] bytes;
        try {
            bytes = InferenceBody.readBody(req.content().inputStream(), req.headers().contentLength().orElse(-1),
                    limits);
        } catch (ApiException e) {
            // Part of the body is still unread: the connection cannot carry another request.
            res.header(HeaderNames.CONNECTION, "close");
            throw e;
        }
        InferenceBody body = InferenceBody.parse(bytes, limits);
        Exchange.of(req).model(body.model());
        return body;
    }

    private void complete(ServerRequest req, ServerResponse res) {
        Exchange ex = Exchange.of(req);
        InferenceBody body = body(req, res);
        long start = System.nanoTime();
        StringBuilder text = new StringBuilder();
        GenerationEvent.Finished finished;
        boolean started;
        Generation generation = track(manager.submit(body.model(), body.request()));
        try (generation) {
            finished = readAll(generation, text);
            started = generation.started() || finished.completionTokens() > 0;
        } finally {
            active.remove(generation);
        }
        ex.tokens(finished.completionTokens());
        if (finished.reason() == FinishReason.ERROR || finished.reason() == FinishReason.CANCELLED) {
            throw new GenerationFailedException(kind(finished), finished.error(), started);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("result", text.toString());
        out.put("model", body.model());
        out.put("tokens_generated", finished.completionTokens());
        out.put("inference_time_seconds", Json.round(seconds, 3));
        out.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        out.put("finish_reason", finished.reason().wireName());
        out.put("prompt_tokens", finished.promptTokens());
        out.put("completion_tokens", finished.completionTokens());
        out.put("timings", timings(finished.timings()));
        out.put("request_id", ex.requestId);
        Responses.json(res, 200, out);
    }

    private Generation track(Generation generation) {
        active.add(generation);
        if (shuttingDown) {
            generation.cancel();
        }
        return generation;
    }

    private GenerationEvent.Finished readAll(Generation generation, StringBuilder text) {
        try {
            while (true) {
                GenerationEvent event = generation.poll(Duration.ofSeconds(30));
                if (event instanceof GenerationEvent.Token token) {
                    text.append(token.text());
                } else if (event instanceof GenerationEvent.Finished finished) {
                    return finished;
                }
            }
        } catch (InterruptedException e) {
            // The server is stopping and its grace period is over.
            Thread.currentThread().interrupt();
            generation.cancel();
            throw new ApiException(ApiError.unavailable("overloaded", Errors.SHUTTING_DOWN, retryAfter));
        }
    }

    /** What cut a generation short; a cancel during shutdown is the shutdown's. */
    private FailureKind kind(GenerationEvent.Finished finished) {
        return shuttingDown && finished.reason() == FinishReason.CANCELLED ? FailureKind.SHUTDOWN : finished.failure();
    }

    private void stream(ServerRequest req, ServerResponse res) {
        Exchange ex = Exchange.of(req);
        InferenceBody body = body(req, res);
        long start = System.nanoTime();
        Generation generation = track(manager.submit(body.model(), body.request()));
        try (generation) {
            new Stream(generation, res, ex, start).run();
        } finally {
            active.remove(generation);
        }
    }

    /** One SSE response. Nothing is written until the first event or the first heartbeat is due. */
    private final class Stream {
        private final Generation generation;
        private final ServerResponse res;
        private final Exchange ex;
        private final long start;
        private OutputStream out;

        Stream(Generation generation, ServerResponse res, Exchange ex, long start) {
            this.generation = generation;
            this.res = res;
            this.ex = ex;
            this.start = start;
        }

        void run() {
            try {
                while (true) {
                    GenerationEvent event;
                    try {
                        event = generation.poll(heartbeat);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        generation.cancel();
                        if (out == null) {
                            throw new ApiException(ApiError.unavailable("overloaded", Errors.SHUTTING_DOWN,
                                    retryAfter));
                        }
                        write(errorEvent(Errors.SHUTTING_DOWN, "cancelled"));
                        return;
                    }
                    if (event == null) {
                        write(HEARTBEAT);
                    } else if (event instanceof GenerationEvent.Token token) {
                        ex.tokens(token.completionTokens());
                        Map<String, Object> data = new LinkedHashMap<>();
                        data.put("token", token.text());
                        data.put("total_tokens", token.completionTokens());
                        write(data(data));
                    } else if (event instanceof GenerationEvent.Finished finished) {
                        finish(finished);
                        return;
                    }
                }
            } catch (ClientGone e) {
                // The client went away: free the slot now, not when the generation would have ended.
                generation.cancel();
                ex.outcome("client_closed");
            } finally {
                closeQuietly();
            }
        }

        private void finish(GenerationEvent.Finished f) {
            ex.tokens(f.completionTokens());
            if (f.reason() == FinishReason.ERROR || f.reason() == FinishReason.CANCELLED) {
                boolean started = generation.started() || f.completionTokens() > 0;
                if (out == null) {
                    throw new GenerationFailedException(kind(f), f.error(), started);
                }
                ex.outcome(f.reason() == FinishReason.ERROR ? "stream_error" : "cancelled");
                write(errorEvent(Errors.streamError(kind(f), f.error(), started, ex.requestId), f.reason().wireName()));
                return;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("done", true);
            data.put("total_tokens", f.completionTokens());
            data.put("inference_time", Json.round(seconds, 3));
            data.put("tokens_per_second", Json.round(seconds > 0 ? f.completionTokens() / seconds : 0, 2));
            data.put("finish_reason", f.reason().wireName());
            data.put("prompt_tokens", f.promptTokens());
            data.put("completion_tokens", f.completionTokens());
            data.put("timings", timings(f.timings()));
            write(data(data));
        }

        private byte[] errorEvent(String message, String finishReason) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("error", message);
            data.put("done", true);
            data.put("finish_reason", finishReason);
            data.put("request_id", ex.requestId);
            return data(data);
        }

        private void write(byte[] bytes) {
            try {
                if (out == null) {
                    res.status(Status.OK_200);
                    res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
                    res.header(HeaderNames.create("X-Accel-Buffering"), "no");
                    out = res.outputStream();
                }
                out.write(bytes);
                out.flush();
            } catch (IOException | RuntimeException e) {
                // Helidon reports a closed connection as ServerConnectionException or UncheckedIOException.
                throw new ClientGone(e);
            }
        }

        private void closeQuietly() {
            if (out == null) {
                return;
            }
            try {
                out.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, "rid=" + ex.requestId + " stream close failed", e);
            }
        }
    }

    /** The client closed the connection. */
    private static final class ClientGone extends RuntimeException {
        ClientGone(Throwable cause) {
            super("client closed the connection", cause, false, false);
        }
    }

    static byte[] data(Map<String, Object> event) {
        return ("data: " + Json.write(event) + "\n\n").getBytes(StandardCharsets.UTF_8);
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
        return m;
    }
}
