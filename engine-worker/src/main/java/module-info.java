/**
 * The worker-process machinery the engines share: each loaded model runs in its own child JVM, reached
 * over a Unix domain socket and watched by a watchdog. Besides it, what every engine uses, the in-process one
 * too: the checks before llama.cpp ({@code ModelChecks}), a generation's queue of events
 * ({@code GenerationEvents}) and the consumer's handle of it ({@code GenerationHandle}). Exported to the engines
 * only.
 */
module dev.cerebrum.engine.worker {
    requires transitive dev.cerebrum.engine.api;
    requires dev.cerebrum.grammar;

    exports dev.cerebrum.engine.worker to dev.cerebrum.engine.llamacpp, dev.cerebrum.engine.ffm;
    exports dev.cerebrum.engine.worker.protocol to dev.cerebrum.engine.llamacpp, dev.cerebrum.engine.ffm;
    exports dev.cerebrum.engine.worker.child to dev.cerebrum.engine.llamacpp, dev.cerebrum.engine.ffm;
}
