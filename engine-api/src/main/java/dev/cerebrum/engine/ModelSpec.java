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
    /** The largest context, in tokens, an engine accepts, whatever the model was trained with (it may accept less). */
    public static final int MAX_CONTEXT_SIZE = 131_072;
    /** The fewest context tokens each slot needs. */
    public static final int MIN_SLOT_CONTEXT = 16;
    /** The most parallel slots of one model. */
    public static final int MAX_PARALLEL = 64;

    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        if (name.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank");
        }
        if (parallel < 1 || parallel > MAX_PARALLEL) {
            throw new IllegalArgumentException("parallel must be 1.." + MAX_PARALLEL + ", was " + parallel);
        }
        if (contextSize < MIN_SLOT_CONTEXT * parallel) {
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
