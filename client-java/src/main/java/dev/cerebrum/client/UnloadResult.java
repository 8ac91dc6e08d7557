package dev.cerebrum.client;

/**
 * The answer of {@code POST /v1/unload/{model}}.
 *
 * @param status                {@code "unloaded"}
 * @param model                 model name
 * @param cancelledGenerations  generations cancelled by a forced unload
 */
public record UnloadResult(String status, String model, int cancelledGenerations) {
}
