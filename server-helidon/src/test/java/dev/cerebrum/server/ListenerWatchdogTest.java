package dev.cerebrum.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The watchdog's rules, probing a real listening socket that the test closes in place of Helidon. */
class ListenerWatchdogTest {
    private static final Duration PERIOD = Duration.ofMillis(100);

    @Test
    void aListenerThatStillAccepts_isLeftAlone() throws Exception {
        try (ServerSocket listener = listen(0)) {
            AtomicInteger restarts = new AtomicInteger();
            try (ListenerWatchdog ignored = new ListenerWatchdog(address(listener),
                    () -> restarts.incrementAndGet() > 0, () -> { }, PERIOD, Duration.ofSeconds(5))) {
                Thread.sleep(800);
            }
            assertEquals(0, restarts.get());
        }
    }

    @Test
    void aListenerThatIsGone_isStartedAgain_onTheSamePort() throws Exception {
        ServerSocket first = listen(0);
        int port = first.getLocalPort();
        AtomicReference<ServerSocket> current = new AtomicReference<>(first);
        CountDownLatch restarted = new CountDownLatch(1);
        try (ListenerWatchdog ignored = new ListenerWatchdog(address(first), () -> {
            current.set(listen(port));
            restarted.countDown();
            return true;
        }, () -> { }, PERIOD, Duration.ofSeconds(5))) {
            first.close();
            assertTrue(restarted.await(5, TimeUnit.SECONDS), "the listener was started again");
        } finally {
            current.get().close();
        }
    }

    @Test
    void whenListeningAgainKeepsFailing_itGivesUp() throws Exception {
        ServerSocket listener = listen(0);
        CountDownLatch gaveUp = new CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        try (ListenerWatchdog ignored = new ListenerWatchdog(address(listener), () -> {
            attempts.incrementAndGet();
            return false;
        }, gaveUp::countDown, PERIOD, Duration.ofMillis(600))) {
            listener.close();
            assertTrue(gaveUp.await(5, TimeUnit.SECONDS), "it gave up");
            assertTrue(attempts.get() >= 3, "attempts: " + attempts.get());
        }
    }

    @Test
    void whenTheListenerKeepsEnding_itGivesUpAfterTheAllowedLosses() throws Exception {
        ServerSocket listener = listen(0);
        CountDownLatch gaveUp = new CountDownLatch(1);
        AtomicInteger restarts = new AtomicInteger();
        // every restart "succeeds" but nothing listens: as when each new listener dies at its first accept
        try (ListenerWatchdog ignored = new ListenerWatchdog(address(listener), () -> restarts.incrementAndGet() > 0,
                gaveUp::countDown, PERIOD, Duration.ofSeconds(5))) {
            listener.close();
            assertTrue(gaveUp.await(10, TimeUnit.SECONDS), "it gave up");
        }
        assertEquals(ListenerWatchdog.MAX_LOSSES - 1, restarts.get());
    }

    private static ServerSocket listen(int port) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InetSocketAddress address(ServerSocket s) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
}
