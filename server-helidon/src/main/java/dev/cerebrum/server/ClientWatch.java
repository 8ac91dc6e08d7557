package dev.cerebrum.server;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A watch, while a handler waits without reading, for its client ending the connection (end of stream or a reset);
 * {@link GuardedConnection#watchClient} starts one. The reaction runs once, on the thread that noticed, and only
 * until the watch is closed.
 */
final class ClientWatch implements AutoCloseable {
    private final Runnable onGone;
    private final AtomicBoolean gone = new AtomicBoolean();
    private volatile boolean closed;

    ClientWatch(Runnable onGone) {
        this.onGone = onGone;
    }

    /** Called when the connection ended under the handler: runs the reaction, unless the watch is over. */
    void connectionEnded() {
        if (!closed && gone.compareAndSet(false, true)) {
            onGone.run();
        }
    }

    /** True when the client ended the connection while the watch was on. */
    boolean clientGone() {
        return gone.get();
    }

    /** Ends the watch: a connection that ends from now on is not the handler's concern. */
    @Override
    public void close() {
        closed = true;
    }
}
