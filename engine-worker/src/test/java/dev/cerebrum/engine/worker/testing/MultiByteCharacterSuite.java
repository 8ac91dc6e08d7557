package dev.cerebrum.engine.worker.testing;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A character spelt in several tokens, from the real native library: the successor model with 😀
 * after "c" in its four byte tokens, so "abc" continues "😀defg…" and a token limit can cut the
 * character. Every worker engine passes it.
 */
public abstract class MultiByteCharacterSuite extends OneModelSuite {
    private static final String GRIN = "\uD83D\uDE00";

    @Override
    protected ModelSpec suiteModel() {
        return ModelSpec.of("emoji", TestModels.successorWithEmoji(), 1024, 1, 2);
    }

    private Events generate(int maxTokens, List<String> stop) throws InterruptedException {
        return Events.readAll(model().generate(GenerationRequest.builder("abc").greedy().maxTokens(maxTokens).stop(stop)
                .build()));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void limitInsideTheCharacter_endsWithLength_countsTheLimit_andShowsNoPartOfIt(int maxTokens) throws Exception {
        Events events = generate(maxTokens, List.of());

        assertEquals("", events.text());
        assertTrue(events.tokens.isEmpty(), "no token event: " + events.tokens);
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(maxTokens, events.finished.completionTokens());
    }

    @Test
    void limitRightAfterTheCharacter_showsIt_whole() throws Exception {
        Events events = generate(4, List.of());

        assertEquals(GRIN, events.text());
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(4, events.finished.completionTokens());
    }

    @Test
    void limitAfterTheCharacterAndMore_countsEveryToken() throws Exception {
        Events events = generate(6, List.of());

        assertEquals(GRIN + "de", events.text());
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(6, events.finished.completionTokens());
    }

    @Test
    void stopStringAfterTheCharacter_keepsTheCharacter() throws Exception {
        Events events = generate(20, List.of("ef"));

        assertEquals(GRIN + "d", events.text());
        assertEquals(FinishReason.STOP, events.finished.reason());
    }

    @Test
    void stopStringThatIsTheCharacter_leavesNothing() throws Exception {
        Events events = generate(20, List.of(GRIN));

        assertEquals("", events.text());
        assertEquals(FinishReason.STOP, events.finished.reason());
        assertEquals(0, events.finished.completionTokens());
    }
}
