package dev.cerebrum.server;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.concurrency.limits.LimitAlgorithm;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.http.Headers;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.spi.ServerConnection;

import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * One client connection as the {@link ConnectionGuard} sees it: Helidon's HTTP/1.1 connection inside, with the
 * phase it is in and since when, so that the guard can close it when it waits too long.
 *
 * <p>The phase follows what happens: bytes arriving (through the reader this connection hands Helidon), a
 * request being routed (through the request limit Helidon asks before it routes, and tells when it is done),
 * and a request or response that says {@code Connection: close} (through header listeners). Helidon 4.5.0 answers
 * such a request with that header but keeps the socket open (helidon-io/helidon#12324); this connection closes it
 * after the response.
 *
 * <p>Closing a socket that still has unread bytes makes the kernel reset the connection, and a client still
 * sending a body then loses the answer it was sent. So when the server ends a connection after an answer (one
 * refused before routing, or a body that could not be read), it first reads and discards what the client still
 * sends, within {@link #DRAIN_TIME} and {@link #DRAIN_MAX_BYTES}. The rest of a readable body that a refusal did
 * not need is discarded by {@link RequestFilter} while the connection stays open; once the answer is out, that rest
 * must arrive within the header timeout, or the connection is closed without another word.
 *
 * <p>Helidon reads nothing while a handler runs, so it notices a client that went away only at its next write. A
 * handler that waits long without writing (a generation answered as one body) can {@linkplain #watchClient watch}
 * the connection instead: the connection's next read is then made at once, on a thread of its own, and its end of
 * stream or failure tells that the client went away. What that read returns is handed to Helidon's next read, so
 * no byte is lost, and only one thread ever reads the socket at a time.
 */
final class GuardedConnection implements ServerConnection {
    /** The connection whose request the current thread handles: Helidon routes on the connection's thread. */
    private static final ScopedValue<GuardedConnection> HANDLING = ScopedValue.newInstance();
    /**
     * How long a refused client, or one whose connection the server ends after its answer, may take to finish
     * sending, so that it reads the answer, not a reset.
     */
    static final Duration DRAIN_TIME = Duration.ofSeconds(1);
    /**
     * How long to wait for a refused client that has sent nothing yet: a client sends its request right after it
     * connects, while an idle flood never does, and must not hold the refusal slots for long.
     */
    static final Duration QUIET_DRAIN_TIME = Duration.ofMillis(250);
    private static final int DRAIN_MAX_BYTES = 64 * 1024;

    /** What the connection is doing; timeouts apply to waiting phases only. */
    enum Phase {
        /** Opened, waiting for the first request's headers (header timeout from the opening). */
        OPEN,
        /** Receiving a later request's headers (header timeout from its first byte). */
        HEADERS,
        /**
         * A request is being routed: streams last as long as they last, but a body that stops arriving for the
         * header timeout ends it, and so does the rest of a body still arriving that long after the answer.
         */
        REQUEST,
        /** Kept alive between requests (idle timeout). */
        IDLE,
        /**
         * Answering a refusal or a request that is not HTTP/1.1, or having answered a request after which the server
         * ends the connection, then reading what the client still sends.
         */
        REPLYING,
        /** Being closed. */
        CLOSING
    }

    /** What the guard must do to a connection whose phase has run out of time. */
    enum Expiry {
        /** Nothing: still within its time, or in a phase without a timeout. */
        NONE,
        /** Close it without a word (it sent nothing of a request). */
        CLOSE,
        /** Answer 408 and close: part of a request's headers arrived, but not the rest in time. */
        HEADERS_LATE,
        /** Answer 408 and close: the request body stopped arriving for the header timeout, before any answer. */
        BODY_STALLED
    }

    /**
     * Marks a connection to close after the response when the request asks for it (Helidon answers with
     * {@code Connection: close} but, in 4.5.0, keeps reading).
     */
    static final Http1ConnectionListener RECEIVE_LISTENER = new Http1ConnectionListener() {
        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            if (ctx instanceof Context c) {
                c.connection().requestAsksClose = false;
            }
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            if (ctx instanceof Context c && headers.containsToken(HeaderValues.CONNECTION_CLOSE)) {
                c.connection().requestAsksClose = true;
                c.connection().closeAfterResponse = true;
            }
        }
    };

    /**
     * Notes when a request is answered, and marks a connection to close after the response when the response says
     * so; when the server, not the request, decided that, what the client still sends is drained first.
     */
    static final Http1ConnectionListener SEND_LISTENER = new Http1ConnectionListener() {
        @Override
        public void status(ConnectionContext ctx, Status status) {
            if (ctx instanceof Context c) {
                c.connection().answered();
            }
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            if (ctx instanceof Context c && headers.containsToken(HeaderValues.CONNECTION_CLOSE)) {
                GuardedConnection connection = c.connection();
                connection.closeAfterResponse = true;
                if (!connection.requestAsksClose) {
                    connection.drainBeforeClose = true;
                }
            }
        }
    };

    private final ConnectionGuard guard;
    private final ConnectionContext helidon;
    private final Context context;
    private final InetAddress peer;
    private final boolean outsider;
    private final ConnectionEvent refusal;
    private volatile ServerConnection http1;
    private volatile boolean closeAfterResponse;
    /** The request being handled asked for {@code Connection: close}. */
    private volatile boolean requestAsksClose;
    /** The server ends the connection after its answer: read what the client still sends before closing. */
    private volatile boolean drainBeforeClose;

    private Phase phase = Phase.OPEN;
    private long since = System.nanoTime();
    private boolean bytesInPhase;
    /** When the read Helidon is waiting in began, during a request (its body); 0 when it waits in none. */
    private long bodyReadSince;
    /** When the request being handled was answered; 0 before. */
    private long answeredAt;
    /** The socket's next read, made ahead of Helidon's for a {@link ClientWatch}; null when none was made. */
    private CompletableFuture<byte[]> readAhead;

    GuardedConnection(ConnectionGuard guard, ConnectionContext helidon, InetAddress peer, boolean outsider,
                      ConnectionEvent refusal) {
        this.guard = guard;
        this.helidon = helidon;
        this.context = new Context();
        this.peer = peer;
        this.outsider = outsider;
        this.refusal = refusal;
    }

    /** The context to create Helidon's HTTP/1.1 connection with. */
    ConnectionContext context() {
        return context;
    }

    /** Sets the HTTP/1.1 connection this one runs, before it is handled. */
    void attach(ServerConnection connection) {
        this.http1 = connection;
    }

    InetAddress peer() {
        return peer;
    }

    boolean outsider() {
        return outsider;
    }

    /** Null for an admitted connection, else why it was refused. */
    ConnectionEvent refusal() {
        return refusal;
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        try {
            if (refusal != null) {
                reply(guard.refusalError(refusal));
                return;
            }
            switch (RequestLine.peek(context.reader, guard.maxRequestLineLength())) {
                case HTTP_1_1 -> {
                    ScopedValue.where(HANDLING, this).<Void, InterruptedException>call(() -> {
                        http1.handle(new PhaseLimit(limit));
                        return null;
                    });
                    drainIfEndedByTheServer();
                }
                case HTTP_1_0 -> replyNotHttp11(ApiError.of(505, "http_version_not_supported",
                        "HTTP/1.0 is not supported: send the request as HTTP/1.1"));
                case OTHER_VERSION -> replyNotHttp11(ApiError.of(505, "http_version_not_supported",
                        "only HTTP/1.1 is supported"));
                case NOT_HTTP -> replyNotHttp11(ApiError.of(400, "bad_request", "not an HTTP/1.1 request"));
            }
        } catch (DataReader.InsufficientDataAvailableException | CloseConnectionException e) {
            // Closed before a complete request, or by a timeout: there is nobody to answer.
        } finally {
            guard.release(this);
        }
    }

    @Override
    public Duration idleTime() {
        // The guard times connections out itself; Helidon's idle timer must never close one mid-stream.
        return Duration.ZERO;
    }

    /**
     * Closes the connection: at once when it waits for a request or answers a refusal, and after the running
     * request when one is running and {@code interrupt} is false (a graceful stop).
     */
    @Override
    public void close(boolean interrupt) {
        boolean waiting;
        synchronized (this) {
            waiting = phase != Phase.REQUEST && phase != Phase.CLOSING;
            if (waiting) {
                enter(Phase.CLOSING);
            }
        }
        ServerConnection c = http1;
        if (c != null) {
            c.close(interrupt);
        }
        if (waiting || interrupt) {
            closeSocket();
        }
    }

    /** Decides what to do when the phase has run out of time; moves an expired connection to closing. */
    synchronized Expiry expire(long now, Duration headerTimeout, Duration idleTimeout) {
        long waited = now - since;
        Expiry expiry = switch (phase) {
            case OPEN, HEADERS -> waited > headerTimeout.toNanos()
                    ? (bytesInPhase ? Expiry.HEADERS_LATE : Expiry.CLOSE) : Expiry.NONE;
            case REQUEST -> bodyReadSince == 0 ? Expiry.NONE
                    // after the answer a 408 cannot be sent: the rest of the body had its time
                    : answeredAt != 0 ? (now - answeredAt > headerTimeout.toNanos() ? Expiry.CLOSE : Expiry.NONE)
                    : now - bodyReadSince > headerTimeout.toNanos() ? Expiry.BODY_STALLED : Expiry.NONE;
            case IDLE -> waited > idleTimeout.toNanos() ? Expiry.CLOSE : Expiry.NONE;
            case REPLYING -> waited > (bytesInPhase ? DRAIN_TIME : QUIET_DRAIN_TIME).toNanos()
                    ? Expiry.CLOSE : Expiry.NONE;
            case CLOSING -> Expiry.NONE;
        };
        if (expiry != Expiry.NONE) {
            switch (phase) {
                case IDLE -> guard.count(ConnectionEvent.IDLE_TIMEOUT, peer);
                case REQUEST -> guard.count(ConnectionEvent.BODY_TIMEOUT, peer);
                case OPEN, HEADERS -> guard.count(ConnectionEvent.HEADER_TIMEOUT, peer);
                default -> {
                }
            }
            enter(Phase.CLOSING);
        }
        return expiry;
    }

    /**
     * Watches the connection of the request the current thread handles for its client ending it (end of stream or
     * a reset) while the handler waits and reads nothing; {@code onGone} then runs once, on the thread that
     * noticed. The request's body must have been read. A client that sends its next request meanwhile is still
     * there; after that, nothing more is watched. On a thread that handles no request of this server the watch
     * sees nothing.
     */
    static ClientWatch watchClient(Runnable onGone) {
        ClientWatch watch = new ClientWatch(onGone);
        if (HANDLING.isBound()) {
            HANDLING.get().readAhead().whenComplete((bytes, failure) -> {
                if (bytes == null) {
                    watch.connectionEnded();
                }
            });
        }
        return watch;
    }

    /**
     * Runs {@code writes}, which write to the response of the request the current thread handles, and sends what
     * they wrote in one socket write at their end ({@link GatheringWriter}). On a thread that handles no request of
     * this server the writes go out as they come.
     */
    static <E extends Exception> void inOneWrite(GatheringWriter.Writes<E> writes) throws E {
        if (HANDLING.isBound()) {
            HANDLING.get().context.writer.inOneWrite(writes);
        } else {
            writes.run();
        }
    }

    /** The socket's next read, started now on a virtual thread unless it was started already. */
    private synchronized CompletableFuture<byte[]> readAhead() {
        if (readAhead == null) {
            CompletableFuture<byte[]> next = new CompletableFuture<>();
            Thread.ofVirtual().name("cerebrum-client-watch").start(() -> {
                try {
                    next.complete(helidon.serverSocket().get());
                } catch (RuntimeException e) {
                    next.completeExceptionally(e);
                }
            });
            readAhead = next;
        }
        return readAhead;
    }

    /** The socket's next bytes (null at its end): those read ahead for a watch, if any, else a read now. */
    private byte[] socketGet() {
        CompletableFuture<byte[]> ahead;
        synchronized (this) {
            ahead = readAhead;
            readAhead = null;
        }
        if (ahead == null) {
            return helidon.serverSocket().get();
        }
        try {
            return ahead.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            // as a read of a socket on a virtual thread does when interrupted: close it, and fail
            Thread.currentThread().interrupt();
            closeSocket();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while reading"));
        }
    }

    /** Writes a final answer, from the guard's thread while the connection's own thread waits for bytes. */
    void answerAndClose(ApiError error) {
        try {
            helidon.dataWriter().writeNow(BufferData.create(Errors.rawResponse(error, Exchange.requestId(null))));
        } catch (RuntimeException e) {
            // the client is gone already
        }
        closeSocket();
    }

    /** Closes the socket; the connection's thread, if it waits for bytes, then ends quietly. */
    void closeSocket() {
        try {
            helidon.serverSocket().close();
        } catch (RuntimeException e) {
            // already closed
        }
    }

    private void replyNotHttp11(ApiError error) {
        guard.count(ConnectionEvent.NOT_HTTP, peer);
        reply(error);
    }

    /** Answers, then {@linkplain #drain() reads what the client still sends}. */
    private void reply(ApiError error) {
        synchronized (this) {
            enter(Phase.REPLYING);
        }
        try {
            helidon.dataWriter().writeNow(BufferData.create(Errors.rawResponse(error, Exchange.requestId(null))));
        } catch (RuntimeException e) {
            return; // the client left
        }
        drain();
    }

    /**
     * After Helidon's loop ended: when the server ended the connection with an answer (Helidon's refusal before
     * routing, or a body that could not be read), rather than a timeout, a stop or the client, {@linkplain #drain()
     * reads what the client still sends} before Helidon closes the socket.
     */
    private void drainIfEndedByTheServer() {
        synchronized (this) {
            if (!drainBeforeClose || phase == Phase.CLOSING) {
                return;
            }
            if (phase != Phase.REPLYING) {
                enter(Phase.REPLYING);
            }
        }
        drain();
    }

    /**
     * Reads what the client still sends, until it closes, {@link #DRAIN_MAX_BYTES} arrived, or {@link #DRAIN_TIME}
     * is up ({@link #QUIET_DRAIN_TIME} while it sends nothing): closing with unread bytes would make the kernel reset
     * the connection, and the client could lose the answer.
     */
    private void drain() {
        try {
            for (int drained = 0; drained < DRAIN_MAX_BYTES; ) {
                byte[] bytes = socketGet();
                if (bytes == null) {
                    break;
                }
                synchronized (this) {
                    bytesInPhase = true;
                }
                drained += bytes.length;
            }
        } catch (RuntimeException e) {
            // the client left, or the drain time ran out
        }
    }

    private void enter(Phase next) {
        phase = next;
        since = System.nanoTime();
        bytesInPhase = false;
    }

    private synchronized void bytesArrived() {
        if (phase == Phase.IDLE) {
            enter(Phase.HEADERS);
        }
        bytesInPhase = true;
    }

    /** True while the bytes of a request's headers have started to arrive but not ended. */
    private synchronized boolean midHeaders() {
        return phase == Phase.HEADERS || (phase == Phase.OPEN && bytesInPhase);
    }

    private synchronized void readStarts() {
        bodyReadSince = phase == Phase.REQUEST ? System.nanoTime() : 0;
    }

    private synchronized void readEnds() {
        bodyReadSince = 0;
    }

    private synchronized boolean closing() {
        return phase == Phase.CLOSING;
    }

    private synchronized void requestStarted() {
        enter(Phase.REQUEST);
        answeredAt = 0;
    }

    private synchronized void answered() {
        if (phase == Phase.REQUEST && answeredAt == 0) {
            answeredAt = System.nanoTime();
        }
    }

    private void requestEnded() {
        if (closeAfterResponse) {
            synchronized (this) {
                // the drain, if any, starts now: Helidon ends its loop at once
                enter(drainBeforeClose ? Phase.REPLYING : Phase.CLOSING);
            }
            // Ends Helidon's loop after this request; it then closes the socket.
            http1.close(false);
            return;
        }
        synchronized (this) {
            if (phase == Phase.REQUEST) {
                // Bytes of a pipelined request already read count as its headers arriving.
                boolean pipelined = context.reader.available() > 0;
                enter(pipelined ? Phase.HEADERS : Phase.IDLE);
                bytesInPhase = pipelined;
            }
        }
    }

    /** Reads from the socket for Helidon, telling the connection what arrives. */
    private byte[] read() {
        byte[] bytes;
        try {
            readStarts();
            bytes = socketGet();
        } catch (UncheckedIOException e) {
            if (closing()) {
                throw new CloseConnectionException("closed by the server", e);
            }
            if (midHeaders()) {
                guard.count(ConnectionEvent.ABORTED, peer);
                throw new CloseConnectionException("the connection failed in the middle of a request", e);
            }
            throw new ServerConnectionException("Failed to get data from socket", e);
        } finally {
            readEnds();
        }
        if (bytes == null) {
            if (midHeaders()) {
                // Helidon would answer 500 to the closed socket and log a stack trace at WARNING.
                guard.count(ConnectionEvent.ABORTED, peer);
                throw new CloseConnectionException("the client closed the connection in the middle of a request");
            }
            return null;
        }
        bytesArrived();
        return bytes;
    }

    /** The request limit Helidon takes a permit from before it routes a request, and returns it to after. */
    private final class PhaseLimit implements Limit {
        private final Limit delegate;

        PhaseLimit(Limit delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<LimitAlgorithm.Token> tryAcquire() {
            return delegate.tryAcquire().map(this::track);
        }

        @Override
        public Optional<LimitAlgorithm.Token> tryAcquire(boolean wait) {
            return delegate.tryAcquire(wait).map(this::track);
        }

        @Override
        public LimitAlgorithm.Outcome tryAcquireOutcome(boolean wait) {
            LimitAlgorithm.Outcome outcome = delegate.tryAcquireOutcome(wait);
            if (outcome instanceof LimitAlgorithm.Outcome.Accepted accepted) {
                return LimitAlgorithm.Outcome.immediateAcceptance(outcome.originName(), outcome.algorithmType(),
                        track(accepted.token()));
            }
            return outcome;
        }

        @Override
        public Limit copy() {
            return delegate.copy();
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public String type() {
            return delegate.type();
        }

        private LimitAlgorithm.Token track(LimitAlgorithm.Token token) {
            requestStarted();
            return new LimitAlgorithm.Token() {
                @Override
                public void dropped() {
                    token.dropped();
                    requestEnded();
                }

                @Override
                public void ignore() {
                    token.ignore();
                    requestEnded();
                }

                @Override
                public void success() {
                    token.success();
                    requestEnded();
                }
            };
        }
    }

    /**
     * Helidon's connection context, with a reader of this connection's own over the same socket, and a writer that
     * can send what a block writes in one write ({@link #inOneWrite}).
     */
    private final class Context implements ConnectionContext {
        private final DataReader reader = DataReader.create(GuardedConnection.this::read);
        private final GatheringWriter writer = new GatheringWriter(helidon.dataWriter());

        GuardedConnection connection() {
            return GuardedConnection.this;
        }

        @Override
        public DataReader dataReader() {
            return reader;
        }

        @Override
        public ListenerContext listenerContext() {
            return helidon.listenerContext();
        }

        @Override
        public ExecutorService executor() {
            return helidon.executor();
        }

        @Override
        public DataWriter dataWriter() {
            return writer;
        }

        @Override
        public Router router() {
            return helidon.router();
        }

        @Override
        public Optional<ProxyProtocolData> proxyProtocolData() {
            return helidon.proxyProtocolData();
        }

        @Override
        public HelidonSocket serverSocket() {
            return helidon.serverSocket();
        }

        @Override
        public PeerInfo remotePeer() {
            return helidon.remotePeer();
        }

        @Override
        public PeerInfo localPeer() {
            return helidon.localPeer();
        }

        @Override
        public boolean isSecure() {
            return helidon.isSecure();
        }

        @Override
        public String socketId() {
            return helidon.socketId();
        }

        @Override
        public String childSocketId() {
            return helidon.childSocketId();
        }
    }
}
