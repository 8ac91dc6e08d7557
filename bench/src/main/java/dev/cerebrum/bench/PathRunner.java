package dev.cerebrum.bench;

/**
 * One path of the comparison with its model loaded, ready to run generations. The comparison keeps all
 * paths loaded at once and interleaves their runs.
 */
interface PathRunner extends AutoCloseable {

    /** One greedy generation of {@code tokens} tokens, timed by its consumer. */
    RunSample run(String prompt, int tokens) throws Exception;

    /** The resident memory of the process holding the model. */
    ProcFs.Rss rss();

    /** What the backend itself reports as the model's resident memory, or -1. */
    default long reportedRss() {
        return -1;
    }

    /** The engine's memory estimate for the model, or -1. */
    default long estimate() {
        return -1;
    }

    /** Unloads the model. */
    @Override
    void close();
}
