package dev.cerebrum.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sets up, at start, the JDK's poller that virtual threads wait in for socket I/O; Helidon serves every
 * connection on a virtual thread.
 *
 * <p>The JDK sets the poller up the first time a virtual thread waits for I/O, and that takes file descriptors
 * (its epoll instances). When none are left at that moment, the setting up fails for the life of the process: an
 * {@code ExceptionInInitializerError}, then {@code NoClassDefFoundError: Could not initialize class
 * sun.nio.ch.Poller} at every later wait. The listener watchdog then brings the listener back, but every request
 * whose bytes are not all there at its first read is closed without an answer. Set up here, while descriptors
 * are plentiful, the poller needs none later.
 */
final class VirtualThreadPoller {
    /** How long the start waits for the virtual thread to wait for its byte. */
    private static final Duration WAIT = Duration.ofSeconds(10);

    private VirtualThreadPoller() {
    }

    /**
     * Makes a virtual thread wait for a byte from a pipe once, which sets the poller up.
     *
     * @throws IllegalStateException when the JDK cannot set it up (too few file descriptors at the start)
     * @throws IOException           when the pipe cannot be opened
     */
    static void start() throws IOException {
        Pipe pipe = Pipe.open();
        try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().name("cerebrum-poller-start").start(() -> {
                try {
                    source.read(ByteBuffer.allocate(1));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            // The byte is sent once the reader waits for it: a byte already there would be read without waiting.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (reader.isAlive() && reader.getState() != Thread.State.WAITING && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            sink.write(ByteBuffer.wrap(new byte[]{1}));
            reader.join();
            if (failure.get() != null) {
                throw new IllegalStateException("the JDK cannot set up I/O for virtual threads: "
                        + HelidonConnectionLog.describe(failure.get()), failure.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up I/O for virtual threads", e);
        }
    }
}
