package dev.cerebrum.bench;

import java.util.List;

/**
 * The generations every path of the comparison runs, the same for all three.
 *
 * @param warmupPrompt the warm-up run's prompt (not measured)
 * @param warmupTokens the warm-up run's tokens
 * @param prompts      one prompt per measured run, each with its own first letters
 * @param promptTokens tokens of each prompt, as the engine counted them
 * @param tokens       tokens per measured run
 */
record Plan(String warmupPrompt, int warmupTokens, List<String> prompts, int promptTokens, int tokens) {
    Plan {
        prompts = List.copyOf(prompts);
    }
}
