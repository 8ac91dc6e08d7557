package dev.cerebrum.engine;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What to load: a named GGUF file and the llama.cpp settings it runs with.
 *
 * @param name         the registry name the model is known by
 * @param path         the GGUF file
 * @param contextSize  total context in tokens, shared evenly by the slots
 * @param threads      threads for generation (decode)
 * @param batchThreads threads for prompt processing
 * @param parallel     parallel slots (concurrent generations)
 * @param batchSize    logical batch size for prompt processing
 * @param seed         default sampling seed; a request may override it
 */
public record ModelSpec(String name, Path path, int contextSize, int threads, int batchThreads,
                        int parallel, int batchSize, long seed) {

    /** Default logical batch size, as llama.cpp's server uses. */
    public static final int DEFAULT_BATCH_SIZE = 512;

    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        if (name.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank");
        }
        if (parallel < 1 || parallel > 64) {
            throw new IllegalArgumentException("parallel must be 1..64, was " + parallel);
        }
        if (contextSize < 16 * parallel) {
            throw new IllegalArgumentException("context size " + contextSize + " is too small for " + parallel + " slots");
        }
        if (threads < 1 || batchThreads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
    }

    /** A spec with one thread count for both generation and prompt processing. */
    public static ModelSpec of(String name, Path path, int contextSize, int threads, int parallel) {
        return new ModelSpec(name, path, contextSize, threads, threads, parallel, DEFAULT_BATCH_SIZE, 0);
    }

    /** Tokens of context each slot gets. */
    public int slotContext() {
        return contextSize / parallel;
    }
}
