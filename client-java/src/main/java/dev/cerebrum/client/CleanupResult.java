package dev.cerebrum.client;

import java.util.List;

/**
 * The answer of {@code POST /v1/cleanup}.
 *
 * @param status          {@code "cleaned"}
 * @param modelsRemoved   models unloaded
 * @param modelsRemaining models still loaded
 */
public record CleanupResult(String status, List<String> modelsRemoved, List<String> modelsRemaining) {

    public CleanupResult {
        modelsRemoved = List.copyOf(modelsRemoved);
        modelsRemaining = List.copyOf(modelsRemaining);
    }
}
