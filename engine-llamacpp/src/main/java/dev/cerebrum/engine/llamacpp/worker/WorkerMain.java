package dev.cerebrum.engine.llamacpp.worker;

import dev.cerebrum.engine.worker.child.WorkerRuntime;

/**
 * The worker process: it loads one model with the native binding and serves generations to the
 * engine over a Unix domain socket. Started by the engine only; never by a user. The message loop is
 * {@link WorkerRuntime}'s; the binding's side is {@link LlamaBackend}.
 *
 * <p>It always ends with {@link Runtime#halt}: a JVM that has loaded a model never exits by itself
 * (<a href="https://github.com/kherud/java-llama.cpp/issues/116">java-llama.cpp#116</a>). It halts when
 * the socket reaches end of file (the kernel closes it when the engine dies, even by SIGKILL) and when
 * its parent process is gone. The server's tests and benchmark find workers by this class's name.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    /** Entry point: {@code WorkerMain <socket path>}. */
    public static void main(String[] args) {
        WorkerRuntime.run(args, new LlamaBackend());
    }
}
