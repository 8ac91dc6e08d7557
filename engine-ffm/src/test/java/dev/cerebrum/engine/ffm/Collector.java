package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** An {@link EventSink} that records every event, for tests. */
class Collector implements EventSink {

    final List<GenerationEvent> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<GenerationEvent.Finished> finished = new CompletableFuture<>();

    @Override
    public void onEvent(GenerationEvent event) {
        if (finished.isDone()) {
            throw new AssertionError("an event after the final one: " + event);
        }
        events.add(event);
        if (event instanceof GenerationEvent.Finished f) {
            finished.complete(f);
        }
    }

    /** The final event, waiting at most 30 s. */
    GenerationEvent.Finished finished() {
        try {
            return finished.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("no final event in 30 s; events so far: " + events, e);
        }
    }

    boolean isFinished() {
        return finished.isDone();
    }

    /** All text of the token events. */
    String text() {
        StringBuilder b = new StringBuilder();
        for (GenerationEvent e : events) {
            if (e instanceof GenerationEvent.Token t) {
                b.append(t.text());
            }
        }
        return b.toString();
    }

    List<String> pieces() {
        List<String> pieces = new ArrayList<>();
        for (GenerationEvent e : events) {
            if (e instanceof GenerationEvent.Token t) {
                pieces.add(t.text());
            }
        }
        return pieces;
    }

    FinishReason reason() {
        return finished().reason();
    }
}
