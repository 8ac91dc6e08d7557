package dev.cerebrum.server;

import dev.cerebrum.engine.FailureKind;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.guard.ModelManager;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.lang.System.Logger.Level;

/**
 * The generation core every route shares: admission through the model manager, tracking for shutdown, reading
 * a generation to its end, and streaming it as Server-Sent Events with heartbeats and cancellation when the
 * client goes away. Routes differ only in their bodies and their {@link EventFormat}. A handler only waits on
 * the generation's event queue, which is cheap on a virtual thread.
 */
final class Generations {
    /** A comment line that keeps a quiet stream alive; data-line readers skip it. */
    static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private static final System.Logger LOG = System.getLogger(Generations.class.getName());

    private final ModelManager manager;
    private final Duration heartbeat;
    private final Duration retryAfter;
    private final Set<Generation> active = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    Generations(ModelManager manager, Duration heartbeat, Duration retryAfter) {
        this.manager = manager;
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

    /**
     * A generation that ran to its end: its text, its final event, and the seconds since the request arrived.
     */
    record Completed(String text, GenerationEvent.Finished finished, double seconds) {
    }

    /**
     * Runs a generation to its end, or until its client goes away (the generation is then cancelled).
     *
     * @throws GenerationFailedException when it ended without a result (an error, a cancel)
     * @throws CloseConnectionException  when the client went away: there is nobody to answer
     */
    Completed complete(Exchange ex, String model, GenerationRequest request) {
        long start = System.nanoTime();
        StringBuilder text = new StringBuilder();
        GenerationEvent.Finished finished;
        boolean started;
        boolean clientGone;
        Generation generation = track(manager.submit(model, request));
        // Nothing is written until the end, so the connection is watched: a client that leaves frees the slot now.
        try (generation; ClientWatch client = GuardedConnection.watchClient(generation::cancel)) {
            finished = readAll(generation, text);
            started = generation.started() || finished.completionTokens() > 0;
            clientGone = client.clientGone();
        } finally {
            active.remove(generation);
        }
        ex.tokens(finished.completionTokens());
        if (clientGone) {
            throw new CloseConnectionException("the client closed the connection");
        }
        if (finished.reason() == FinishReason.ERROR || finished.reason() == FinishReason.CANCELLED) {
            throw new GenerationFailedException(kind(finished), finished.error(), started);
        }
        return new Completed(text.toString(), finished, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Streams a generation as Server-Sent Events in {@code format}. Nothing is written until the first event or
     * the first heartbeat is due, so a refusal until then is still an HTTP status.
     */
    void stream(Exchange ex, String model, GenerationRequest request, ServerResponse res, EventFormat format) {
        long start = System.nanoTime();
        Generation generation = track(manager.submit(model, request));
        try (generation) {
            new Stream(generation, res, ex, start, format).run();
        } finally {
            active.remove(generation);
        }
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

    /** One SSE response. */
    private final class Stream {
        private final Generation generation;
        private final ServerResponse res;
        private final Exchange ex;
        private final long start;
        private final EventFormat format;
        private OutputStream out;

        Stream(Generation generation, ServerResponse res, Exchange ex, long start, EventFormat format) {
            this.generation = generation;
            this.res = res;
            this.ex = ex;
            this.start = start;
            this.format = format;
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
                        write(format.error(Errors.SHUTTING_DOWN, FinishReason.CANCELLED, true, ex.requestId));
                        return;
                    }
                    if (event == null) {
                        write(HEARTBEAT);
                    } else if (event instanceof GenerationEvent.Token token) {
                        ex.tokens(token.completionTokens());
                        write(format.token(token));
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
                FailureKind kind = kind(f);
                if (out == null) {
                    throw new GenerationFailedException(kind, f.error(), started);
                }
                ex.outcome(f.reason() == FinishReason.ERROR ? "stream_error" : "cancelled");
                write(format.error(Errors.streamError(kind, f.error(), started, ex.requestId), f.reason(),
                        Errors.isUnavailable(kind, started), ex.requestId));
                return;
            }
            write(format.finished(f, (System.nanoTime() - start) / 1e9));
        }

        private void write(byte[] bytes) {
            if (bytes.length == 0) {
                return;
            }
            try {
                if (out == null) {
                    res.status(Status.OK_200);
                    res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
                    res.header(HeaderNames.create("X-Accel-Buffering"), "no");
                    out = res.outputStream();
                    // Helidon writes the headers and the first chunk separately: one write saves a wake-up of
                    // the client between them, before the first token.
                    GuardedConnection.inOneWrite(() -> {
                        out.write(bytes);
                        out.flush();
                    });
                    return;
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

    /** One {@code data:} event of a JSON value. */
    static byte[] data(Object event) {
        return ("data: " + Json.write(event) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
