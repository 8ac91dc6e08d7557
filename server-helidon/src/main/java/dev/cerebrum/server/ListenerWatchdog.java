package dev.cerebrum.server;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;
import java.lang.System.Logger.Level;

/**
 * Notices when the listening socket is gone while the process lives on, and brings it back.
 *
 * <p>Helidon 4.5 ends its listener for good when an accept fails (for instance with "Too many open files"):
 * the socket is closed, its thread stays blocked, and nothing tells the application. The connection limits keep
 * descriptors from running out, but something else in the process could still exhaust them. So every second
 * this watchdog connects to the listening address: a refused connection, twice in a row, means the listener is
 * gone (a full backlog times out instead). It then calls {@code restart} once a second until it succeeds.
 *
 * <p>It calls {@code giveUp}, which makes the process exit non-zero so that systemd or Docker start it afresh,
 * when listening again has not succeeded within {@code recoveryTime}, when the listener has ended
 * {@value #MAX_LOSSES} times within {@link #LOSS_WINDOW} (then whatever ends it does not go away by itself), or
 * when not even the probe's socket could be opened for {@code recoveryTime}.
 */
final class ListenerWatchdog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ListenerWatchdog.class.getName());
    static final Duration PERIOD = Duration.ofSeconds(1);
    /** How long the watchdog tries to listen again before it gives up. */
    static final Duration RECOVERY_TIME = Duration.ofSeconds(30);
    /** Listener losses within {@link #LOSS_WINDOW} after which the watchdog gives up. */
    static final int MAX_LOSSES = 5;
    /** The window in which listener losses are counted. */
    static final Duration LOSS_WINDOW = Duration.ofMinutes(1);
    private static final int PROBE_TIMEOUT_MS = 1000;

    private final InetSocketAddress address;
    private final BooleanSupplier restart;
    private final Runnable giveUp;
    private final Duration period;
    private final Duration recoveryTime;
    private final Thread thread;
    private final Deque<Long> losses = new ArrayDeque<>();
    private volatile boolean running = true;

    /**
     * @param address      where the listener listens (a wildcard address is probed on loopback)
     * @param restart      listens again; true when it succeeded
     * @param giveUp       called when listening again failed for {@code recoveryTime}
     * @param period       time between probes, and between attempts to listen again
     * @param recoveryTime how long to try listening again
     */
    ListenerWatchdog(InetSocketAddress address, BooleanSupplier restart, Runnable giveUp, Duration period,
                     Duration recoveryTime) {
        this.address = address;
        this.restart = restart;
        this.giveUp = giveUp;
        this.period = period;
        this.recoveryTime = recoveryTime;
        this.thread = Thread.ofPlatform().daemon().name("cerebrum-listener-watchdog").start(this::run);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        int refusedInARow = 0;
        long starvedSince = 0;
        try {
            while (running) {
                Thread.sleep(period.toMillis());
                Probe probe = probe();
                long now = System.nanoTime();
                refusedInARow = probe == Probe.REFUSED ? refusedInARow + 1 : 0;
                if (probe != Probe.STARVED) {
                    starvedSince = 0;
                } else if (starvedSince == 0) {
                    starvedSince = now;
                } else if (now - starvedSince > recoveryTime.toNanos()) {
                    stop("the process could not open a single file descriptor for " + recoveryTime.toSeconds()
                            + " s, so it cannot accept connections either");
                    return;
                }
                if (refusedInARow >= 2 && running) {
                    refusedInARow = 0;
                    while (!losses.isEmpty() && now - losses.peekFirst() > LOSS_WINDOW.toNanos()) {
                        losses.removeFirst();
                    }
                    losses.addLast(now);
                    LOG.log(Level.ERROR, "the listener on " + address + " no longer accepts connections (Helidon ends it when"
                            + " an accept fails, for instance when file descriptors run out); lost "
                            + losses.size() + " time(s) in the last " + LOSS_WINDOW.toSeconds() + " s");
                    if (losses.size() >= MAX_LOSSES) {
                        stop("it keeps ending");
                        return;
                    }
                    recover();
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void recover() throws InterruptedException {
        long deadline = System.nanoTime() + recoveryTime.toNanos();
        while (running) {
            try {
                if (restart.getAsBoolean()) {
                    LOG.log(Level.WARNING, "listening again on " + address);
                    return;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot listen again yet: " + Errors.safe(e.getMessage()));
            }
            if (System.nanoTime() - deadline > 0) {
                stop("it could not listen again within " + recoveryTime.toSeconds() + " s");
                return;
            }
            Thread.sleep(period.toMillis());
        }
    }

    private void stop(String why) {
        LOG.log(Level.ERROR, "giving up on the listener on " + address + ": " + why + "; the server stops, so that its"
                + " supervisor (systemd, Docker) starts it again");
        running = false;
        giveUp.run();
    }

    /** What a probe found. */
    private enum Probe {
        /** Something accepted or is slow to accept (a full backlog): the listener lives, as far as one can tell. */
        ALIVE,
        /** The connection was actively refused: nobody listens at the address. */
        REFUSED,
        /** No socket could be opened at all: the process has no file descriptor left. */
        STARVED
    }

    private Probe probe() {
        SocketChannel channel;
        try {
            channel = SocketChannel.open();
        } catch (IOException e) {
            return Probe.STARVED;
        }
        try (channel) {
            channel.socket().connect(address, PROBE_TIMEOUT_MS);
            return Probe.ALIVE;
        } catch (ConnectException e) {
            return Probe.REFUSED;
        } catch (IOException | RuntimeException e) {
            return Probe.ALIVE;
        }
    }
}
