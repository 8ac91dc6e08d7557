package dev.cerebrum.engine.worker.testing;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.spi.EngineOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The base of the suites every worker engine passes: an engine's test extends a suite and names the engine;
 * JUnit runs the suite's tests against it.
 */
public abstract class EngineSuite {

    /** The engine's name, as {@link InferenceEngines} finds it. */
    protected abstract String engineName();

    /** Properties every engine of the suite gets, for example the ffm engine's natives folder. */
    protected Map<String, String> engineProperties() {
        return Map.of();
    }

    /** A new engine of the suite working in {@code workDir}, with {@code extra} properties besides the suite's. */
    protected InferenceEngine createEngine(Path workDir, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(engineProperties());
        properties.putAll(extra);
        return InferenceEngines.create(engineName(), new EngineOptions(workDir, properties));
    }

    /** Waits, at most 10 s, until no slot of {@code model} is busy. */
    protected static void awaitIdle(LoadedModel model) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (model.slots().busy() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, model.slots().busy(), "the slot was freed");
    }

    /** A prompt of "a"s that {@code model} counts as exactly {@code tokens} tokens. */
    protected static String promptOfTokens(LoadedModel model, int tokens) {
        for (int letters = 1; letters <= tokens; letters++) {
            String prompt = "a".repeat(letters);
            int counted = model.countTokens(prompt);
            if (counted == tokens) {
                return prompt;
            }
            if (counted > tokens) {
                break;
            }
        }
        throw new AssertionError("no prompt of \"a\"s is " + tokens + " tokens long");
    }
}
