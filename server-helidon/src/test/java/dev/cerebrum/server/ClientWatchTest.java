package dev.cerebrum.server;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientWatchTest {
    private final AtomicInteger reactions = new AtomicInteger();

    @Test
    void aConnectionThatEndsDuringTheWatch_runsTheReactionOnce() {
        ClientWatch watch = new ClientWatch(reactions::incrementAndGet);

        watch.connectionEnded();
        watch.connectionEnded();

        assertTrue(watch.clientGone());
        assertEquals(1, reactions.get());
    }

    @Test
    void aConnectionThatEndsAfterTheWatch_isNotTheHandlersConcern() {
        ClientWatch watch = new ClientWatch(reactions::incrementAndGet);
        watch.close();

        watch.connectionEnded();

        assertFalse(watch.clientGone());
        assertEquals(0, reactions.get());
    }

    @Test
    void outsideAServerConnection_theWatchSeesNothing() {
        try (ClientWatch watch = GuardedConnection.watchClient(reactions::incrementAndGet)) {
            assertFalse(watch.clientGone());
        }
        assertEquals(0, reactions.get());
    }
}
