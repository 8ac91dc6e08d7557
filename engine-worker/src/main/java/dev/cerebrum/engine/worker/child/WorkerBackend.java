package dev.cerebrum.engine.worker.child;

import dev.cerebrum.engine.worker.protocol.WorkerMessage.Generate;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Load;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Loaded;

/**
 * What an engine runs inside its worker process: {@link WorkerRuntime} owns the socket and the
 * message loop and calls these methods on its socket-reading thread. Each must return quickly
 * (the same thread answers the engine's pings), except {@link #load}, which runs before any ping.
 */
public interface WorkerBackend {

    /**
     * Loads the model and warms it up; called once.
     *
     * @param load the model and its settings; {@link Load#options()} holds the engine's own
     * @param log  the worker's log, for this call and later ones
     * @return the load and warm-up times
     * @throws WorkerLoadException when the model cannot be loaded
     */
    Loaded load(Load load, WorkerLog log) throws WorkerLoadException;

    /**
     * Starts a generation on a thread of the backend's own and returns. The sink gets its pieces and
     * exactly one end, from any thread.
     */
    void start(Generate generate, GenerationSink sink);

    /** Asks a started generation to end; its end (usually {@code CANCELLED}) follows on its sink. */
    void cancel(int generationId);

    /**
     * Tokens the text becomes as a prompt, with BOS when the model adds one.
     *
     * @throws RuntimeException when the text cannot be tokenized; its message is cleaned and shown
     */
    int countTokens(String text);
}
