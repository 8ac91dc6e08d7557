package dev.cerebrum.engine;

/**
 * A finished generation.
 *
 * @param text     all generated text
 * @param finished the final event
 */
public record GenerationResult(String text, GenerationEvent.Finished finished) {
}
