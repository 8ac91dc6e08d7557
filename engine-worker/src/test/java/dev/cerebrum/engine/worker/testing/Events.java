package dev.cerebrum.engine.worker.testing;

import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Reads a generation's whole stream with a bound on the wait, keeping every event. */
public final class Events {
    /** The longest wait for one event. */
    public static final Duration WAIT = Duration.ofSeconds(30);

    /** The token events, in order. */
    public final List<GenerationEvent.Token> tokens = new ArrayList<>();
    /** The final event. */
    public GenerationEvent.Finished finished;

    private Events() {
    }

    /** Reads the stream to its final event. */
    public static Events readAll(Generation generation) throws InterruptedException {
        Events events = new Events();
        while (events.finished == null) {
            GenerationEvent event = generation.poll(WAIT);
            assertNotNull(event, "no event within " + WAIT);
            if (event instanceof GenerationEvent.Token token) {
                events.tokens.add(token);
            } else {
                events.finished = (GenerationEvent.Finished) event;
            }
        }
        return events;
    }

    /** The next event, failing the test when none comes in time. */
    public static GenerationEvent next(Generation generation) throws InterruptedException {
        GenerationEvent event = generation.poll(WAIT);
        assertNotNull(event, "no event within " + WAIT);
        return event;
    }

    /** The text of every token event. */
    public String text() {
        StringBuilder text = new StringBuilder();
        tokens.forEach(t -> text.append(t.text()));
        return text.toString();
    }

    /** The running completion counts of the token events. */
    public List<Integer> counts() {
        return tokens.stream().map(GenerationEvent.Token::completionTokens).toList();
    }
}
