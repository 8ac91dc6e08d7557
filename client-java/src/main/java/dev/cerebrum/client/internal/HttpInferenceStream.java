package dev.cerebrum.client.internal;

import dev.cerebrum.client.CerebrumException;
import dev.cerebrum.client.InferenceStream;
import dev.cerebrum.client.ServerErrorException;
import dev.cerebrum.client.StreamErrorException;
import dev.cerebrum.client.StreamEvent;
import dev.cerebrum.client.StreamResult;
import dev.cerebrum.client.UnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** An open SSE response read as events. Read by one thread; {@link #close()} from any. */
final class HttpInferenceStream implements InferenceStream {

    private final InputStream body;
    private final SseReader reader;
    private final URI endpoint;
    private final String requestId;
    private final Runnable lateFailure;
    private final Consumer<HttpInferenceStream> onRelease;
    private final IdleTimer idle;
    private final StringBuilder text = new StringBuilder();
    private final AtomicBoolean released = new AtomicBoolean();

    private StreamEvent pending;
    private CerebrumException pendingFailure;
    private CerebrumException failure;
    private StreamEvent.Done done;
    private boolean finished;
    private volatile boolean closedByCaller;

    /**
     * @param lateFailure tells the endpoint's breaker that the stream failed after it opened
     * @param onRelease   returns the in-flight permits; runs once
     */
    HttpInferenceStream(InputStream body, URI endpoint, String requestId, ScheduledExecutorService scheduler,
                        long idleNanos, LongSupplier clock, Runnable lateFailure,
                        Consumer<HttpInferenceStream> onRelease) {
        this.body = body;
        this.endpoint = endpoint;
        this.requestId = requestId;
        this.lateFailure = lateFailure;
        this.onRelease = onRelease;
        this.idle = new IdleTimer(scheduler, idleNanos, this::disconnect, clock);
        this.reader = new SseReader(body, idle::activity);
        idle.start();
    }

    @Override
    public boolean hasNext() {
        if (pending != null) {
            return true;
        }
        if (failure != null) {
            throw failure;
        }
        if (pendingFailure != null) {
            failure = pendingFailure;
            throw failure;
        }
        if (finished || closedByCaller) {
            return false;
        }
        String data;
        try {
            idle.waiting();
            data = reader.next();
        } catch (IOException e) {
            if (closedByCaller) {
                finish();
                return false;
            }
            throw fail(idle.expired()
                    ? new UnavailableException("the stream sent nothing within the stream idle timeout",
                    UnavailableException.Kind.STREAM_IDLE_TIMEOUT, true, requestId, endpoint, e)
                    : new UnavailableException("the stream broke before its final event",
                    UnavailableException.Kind.CONNECTION_LOST, true, requestId, endpoint, e));
        } finally {
            idle.notWaiting();
        }
        if (data == null) {
            if (closedByCaller) {
                finish();
                return false;
            }
            throw fail(new UnavailableException("the stream ended before its final event",
                    UnavailableException.Kind.CONNECTION_LOST, true, requestId, endpoint, null));
        }
        StreamEvent event;
        try {
            event = Json.event(data);
        } catch (WireFormatException e) {
            throw fail(new ServerErrorException("malformed stream event: " + e.getMessage(), 200, "malformed_event",
                    requestId, endpoint, e));
        }
        switch (event) {
            case StreamEvent.Token t -> text.append(t.text());
            case StreamEvent.Done d -> {
                done = d;
                finish();
            }
            case StreamEvent.Error err -> {
                lateFailure.run();
                pendingFailure = new StreamErrorException("the stream failed: " + err.message(),
                        err.requestId() != null ? err.requestId() : requestId, endpoint, text.toString());
                finish();
            }
        }
        pending = event;
        return true;
    }

    @Override
    public StreamEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the stream has ended");
        }
        StreamEvent e = pending;
        pending = null;
        return e;
    }

    @Override
    public Stream<StreamEvent> stream() {
        Spliterator<StreamEvent> split = Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL);
        return StreamSupport.stream(split, false).onClose(this::close);
    }

    @Override
    public StreamResult collect() {
        while (hasNext()) {
            StreamEvent e = next();
            if (e instanceof StreamEvent.Error) {
                failure = pendingFailure;
                throw failure;
            }
        }
        if (done == null) {
            throw new IllegalStateException("the stream was closed before its final event");
        }
        return new StreamResult(text.toString(), done, requestId);
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        closedByCaller = true;
        disconnect();
        release();
    }

    private CerebrumException fail(CerebrumException e) {
        lateFailure.run();
        failure = e;
        finish();
        return e;
    }

    /** The stream is over: stop the timer, drop the connection, return the permits. */
    private void finish() {
        finished = true;
        disconnect();
        release();
    }

    private void disconnect() {
        idle.cancel();
        try {
            // Cancels the body subscription: the connection closes and the server cancels the generation.
            body.close();
        } catch (IOException ignored) {
            // Closing a cancelled body cannot fail in a way that matters here.
        }
    }

    private void release() {
        if (released.compareAndSet(false, true)) {
            onRelease.accept(this);
        }
    }
}
