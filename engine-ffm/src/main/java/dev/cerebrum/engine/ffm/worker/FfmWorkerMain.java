package dev.cerebrum.engine.ffm.worker;

import dev.cerebrum.engine.worker.child.WorkerRuntime;

/**
 * The FFM engine's worker process: it loads one model with the current llama.cpp, called through FFM, and
 * serves generations to the engine over a Unix domain socket. Started by the engine only; never by a user. The
 * message loop is {@link WorkerRuntime}'s (which halts the JVM when the engine goes away); the llama.cpp side is
 * {@link FfmBackend}. The server's tests and benchmark find workers by this class's name.
 */
public final class FfmWorkerMain {
    private FfmWorkerMain() {
    }

    /** Entry point: {@code FfmWorkerMain <socket path>}. */
    public static void main(String[] args) {
        WorkerRuntime.run(args, new FfmBackend());
    }
}
