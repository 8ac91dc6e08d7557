package dev.cerebrum.engine.worker.protocol;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message between the engine and a worker process. {@link WorkerCodec} writes and reads every one
 * of them; a message goes one way only, {@link ToWorker} or {@link FromWorker}.
 */
public sealed interface WorkerMessage {

    /** A message the engine sends to a worker. */
    sealed interface ToWorker extends WorkerMessage {
    }

    /** A message a worker sends to the engine. */
    sealed interface FromWorker extends WorkerMessage {
    }

    // ---- worker -> engine ----

    /**
     * The worker's first message, once it has connected.
     *
     * @param version the protocol version it speaks ({@link WorkerCodec#VERSION})
     * @param pid     its process id, so that the engine knows the connection is its child's
     */
    record Hello(int version, long pid) implements FromWorker {
    }

    /**
     * The model is loaded and warmed up.
     *
     * @param loadMillis   time the engine's native code took to load it
     * @param warmupMillis time the warm-up took
     */
    record Loaded(long loadMillis, long warmupMillis) implements FromWorker {
    }

    /**
     * The model could not be loaded; the worker exits after sending it.
     *
     * @param kind    whether the file is at fault
     * @param message a message safe for clients (no paths)
     */
    record LoadError(LoadErrorKind kind, String message) implements FromWorker {
        public LoadError {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Why a load failed. */
    enum LoadErrorKind {
        /** The file is not a model the engine can load. */
        INVALID_MODEL,
        /** Anything else. */
        FAILED
    }

    /**
     * Output of a generation: text (possibly empty, when a token yields no text yet) and the
     * completion tokens so far. Every piece is progress for the watchdog.
     *
     * @param generationId     the generation
     * @param text             new text, possibly empty
     * @param completionTokens completion tokens of the text sent so far, this piece included
     */
    record Piece(int generationId, String text, int completionTokens) implements FromWorker {
        public Piece {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A generation is still working though it has no output yet (a prompt chunk was processed). Only
     * the watchdog reads it: it is progress, not output, and changes no timing.
     *
     * @param generationId the generation
     */
    record Progress(int generationId) implements FromWorker {
    }

    /**
     * The end of a generation; nothing more comes for its id.
     *
     * @param generationId     the generation
     * @param outcome          why it ended
     * @param completionTokens completion tokens of the returned text ({@link Outcome#LENGTH}: the limit)
     * @param message          for {@link Outcome#FAILED}, a message safe for clients; else empty
     * @param cachedTokens     prompt tokens found in the slot's cache and not processed again
     */
    record End(int generationId, Outcome outcome, int completionTokens, String message, int cachedTokens)
            implements FromWorker {
        public End {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(message, "message");
            if (cachedTokens < 0) {
                throw new IllegalArgumentException("cached tokens cannot be negative: " + cachedTokens);
            }
        }
    }

    /** Why a generation ended. */
    enum Outcome {
        /** End of sequence, or a stop string matched. */
        STOP,
        /** The request's token limit was reached. */
        LENGTH,
        /** The slot's context is full. */
        CONTEXT_FULL,
        /** The engine cancelled it. */
        CANCELLED,
        /** The native code reported an error. */
        FAILED
    }

    /**
     * The answer to {@link Count}.
     *
     * @param requestId the count request
     * @param tokens    tokens the text becomes as a prompt (with BOS when the model adds one)
     */
    record Counted(int requestId, int tokens) implements FromWorker {
    }

    /**
     * A {@link Count} that failed.
     *
     * @param requestId the count request
     * @param message   a message safe for clients
     */
    record CountFailed(int requestId, String message) implements FromWorker {
        public CountFailed {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The answer to {@link Ping}, sent by the worker's socket-reading thread.
     *
     * @param sequence the ping's sequence number
     */
    record Pong(long sequence) implements FromWorker {
    }

    /**
     * A line of the worker's own log. INFO and WARNING lines never carry request content (the engine
     * repeats them when a worker dies); native output goes to stdout/stderr and is logged at DEBUG.
     *
     * @param level how the engine logs it
     * @param text  the line
     */
    record Log(LogLevel level, String text) implements FromWorker {
        public Log {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(text, "text");
        }
    }

    /** The level of a {@link Log} line. */
    enum LogLevel {
        /** Detail; may quote native output. */
        DEBUG,
        /** The worker's own progress. */
        INFO,
        /** The worker's own trouble. */
        WARNING
    }

    // ---- engine -> worker ----

    /**
     * Load the model; the first message after {@link Hello}, sent once.
     *
     * @param modelPath    absolute path of the model file
     * @param contextSize  total context in tokens
     * @param threads      generation threads
     * @param batchThreads prompt-processing threads
     * @param parallel     slots
     * @param batchSize    logical batch size
     * @param seed         default sampling seed
     * @param options      engine-specific settings, as the engine's backend reads them
     */
    record Load(String modelPath, int contextSize, int threads, int batchThreads, int parallel, int batchSize,
                long seed, Map<String, String> options) implements ToWorker {
        public Load {
            Objects.requireNonNull(modelPath, "modelPath");
            options = Map.copyOf(options);
        }
    }

    /**
     * Start a generation. The engine sends it only when a slot is free.
     *
     * @param generationId  the id its pieces and end carry
     * @param prompt        the prompt text
     * @param maxTokens     most completion tokens
     * @param temperature   0 means greedy
     * @param topP          nucleus sampling
     * @param topK          0 disables
     * @param minP          0 disables
     * @param repeatPenalty 1 disables
     * @param stop          stop strings
     * @param seed          sampling seed, or null for the model's
     * @param grammar       a GBNF grammar, or null
     * @param ignoreEos     keep generating past end of sequence
     */
    record Generate(int generationId, String prompt, int maxTokens, double temperature, double topP, int topK,
                    double minP, double repeatPenalty, List<String> stop, Integer seed, String grammar,
                    boolean ignoreEos) implements ToWorker {
        public Generate {
            Objects.requireNonNull(prompt, "prompt");
            stop = List.copyOf(stop);
        }
    }

    /**
     * Cancel a generation; its {@link End} follows.
     *
     * @param generationId the generation
     */
    record Cancel(int generationId) implements ToWorker {
    }

    /**
     * Count the tokens of a text as a prompt; answered by {@link Counted} or {@link CountFailed}.
     *
     * @param requestId the id the answer carries
     * @param text      the text
     */
    record Count(int requestId, String text) implements ToWorker {
        public Count {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * Are you there? Answered by {@link Pong} at once, from the socket-reading thread.
     *
     * @param sequence a number the pong repeats
     */
    record Ping(long sequence) implements ToWorker {
    }

    /** Halt at once. */
    record Shutdown() implements ToWorker {
    }
}
