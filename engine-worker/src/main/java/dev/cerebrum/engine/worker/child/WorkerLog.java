package dev.cerebrum.engine.worker.child;

/**
 * The worker's own log, carried to the engine over the socket (so native code printing to stdout can
 * never forge a line). INFO and WARNING lines must never contain request content: the engine repeats
 * them at WARNING when the worker dies.
 */
public interface WorkerLog {

    /** A line about the worker's own progress. */
    void info(String line);

    /** A line about the worker's own trouble. */
    void warning(String line);
}
