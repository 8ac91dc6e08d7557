package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.Timings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationEventsTest {

    private static final Duration NOW = Duration.ZERO;

    private static GenerationEvent.Token token(int n) {
        return new GenerationEvent.Token("t" + n, n);
    }

    private static GenerationEvent.Finished finished(FinishReason reason, int tokens) {
        return new GenerationEvent.Finished(reason, 3, tokens, Timings.NONE, null);
    }

    @Test
    void tokensThenTheFinalEvent_inOrder_andNothingAfterIt() throws InterruptedException {
        GenerationEvents events = new GenerationEvents();
        assertTrue(events.add(token(1)));
        assertTrue(events.add(token(2)));
        assertTrue(events.add(finished(FinishReason.STOP, 2)));
        assertFalse(events.add(token(3)));
        assertFalse(events.add(finished(FinishReason.LENGTH, 3)));

        assertEquals(token(1), events.poll(NOW));
        assertEquals(token(2), events.poll(NOW));
        assertEquals(finished(FinishReason.STOP, 2), events.poll(NOW));
        assertThrows(IllegalStateException.class, () -> events.poll(NOW));
    }

    @Test
    void cancel_dropsTheUnreadTokens_andQueuesItsFinalEventOnce() throws InterruptedException {
        GenerationEvents events = new GenerationEvents();
        events.add(token(1));
        events.add(token(2));

        assertTrue(events.cancel(() -> finished(FinishReason.CANCELLED, 2)));
        assertFalse(events.cancel(() -> finished(FinishReason.CANCELLED, 9)));
        assertFalse(events.add(token(3)));

        assertEquals(finished(FinishReason.CANCELLED, 2), events.poll(NOW));
    }

    @Test
    void cancel_afterTheFinalEvent_changesNothing() throws InterruptedException {
        GenerationEvents events = new GenerationEvents();
        events.add(finished(FinishReason.LENGTH, 4));

        assertFalse(events.cancel(() -> {
            throw new AssertionError("not made when the generation has ended");
        }));
        assertEquals(finished(FinishReason.LENGTH, 4), events.poll(NOW));
    }

    @Test
    void poll_waitsAtMostItsTimeout_andWakesForAnEvent() throws Exception {
        GenerationEvents events = new GenerationEvents();
        assertNull(events.poll(Duration.ofMillis(20)));

        CompletableFuture<GenerationEvent> polled = new CompletableFuture<>();
        Thread consumer = Thread.startVirtualThread(() -> {
            try {
                polled.complete(events.poll(Duration.ofSeconds(30)));
            } catch (InterruptedException e) {
                polled.completeExceptionally(e);
            }
        });
        Thread.sleep(50);
        events.add(token(1));

        assertEquals(token(1), polled.get(10, TimeUnit.SECONDS));
        consumer.join();
    }
}
