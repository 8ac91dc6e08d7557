package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A prompt the guard (or the worker engine) counted is not tokenised again when it is submitted, and gives what a
 * prompt submitted without counting gives. Random weights, so a wrong token would change the output.
 */
class CountedPromptIT {

    private static final String PROMPT = "fn main() { let answer = compute(6, 7); println!(\"{}\", answer); } ".repeat(8);

    @Test
    void aCountedPrompt_isSubmittedWithItsCountedTokens_andGivesTheSameOutput() {
        GenerationRequest request = Cores.greedy(PROMPT, 12).ignoreEos(true).build();
        Collector uncounted;
        try (GenerationCore core = Cores.load(RandomModels.qwen3(), 2048, 1, 64)) {
            uncounted = Cores.run(core, request);
        }
        try (GenerationCore core = Cores.load(RandomModels.qwen3(), 2048, 1, 64)) {
            int promptTokens = core.countTokens(PROMPT);
            // an equal text, not the same object: the worker engine decodes the count and the prompt separately
            Collector counted = Cores.run(core, Cores.greedy(new String(PROMPT), 12).ignoreEos(true).build());

            assertTrue(core.countedPrompts().take(PROMPT) == null, "the submission took the counted tokens");
            GenerationEvent.Finished finished = counted.finished();
            assertEquals(promptTokens, finished.promptTokens());
            assertEquals(uncounted.finished().promptTokens(), finished.promptTokens());
            assertEquals(uncounted.text(), counted.text());
        }
    }
}
