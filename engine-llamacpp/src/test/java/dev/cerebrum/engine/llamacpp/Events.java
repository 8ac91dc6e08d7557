package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Reads a generation's whole stream with a bound on the wait, keeping every event. */
final class Events {
    static final Duration WAIT = Duration.ofSeconds(30);

    final List<GenerationEvent.Token> tokens = new ArrayList<>();
    GenerationEvent.Finished finished;

    private Events() {
    }

    static Events readAll(Generation generation) throws InterruptedException {
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
    static GenerationEvent next(Generation generation) throws InterruptedException {
        GenerationEvent event = generation.poll(WAIT);
        assertNotNull(event, "no event within " + WAIT);
        return event;
    }

    String text() {
        StringBuilder text = new StringBuilder();
        tokens.forEach(t -> text.append(t.text()));
        return text.toString();
    }

    List<Integer> counts() {
        return tokens.stream().map(GenerationEvent.Token::completionTokens).toList();
    }
}
