/**
 * The engine on the current llama.cpp C API, called through the Java FFM API ({@code java.lang.foreign}), named
 * {@code ffm}: each loaded model runs in its own worker process. It exports the in-process generation core (what
 * a worker runs, and what the benchmark's raw reference uses); the engine itself is found with ServiceLoader.
 */
module dev.cerebrum.engine.ffm {
    requires transitive dev.cerebrum.engine.api;
    requires dev.cerebrum.engine.worker;
    requires dev.cerebrum.gguf;

    exports dev.cerebrum.engine.ffm;

    provides dev.cerebrum.engine.spi.InferenceEngineProvider
            with dev.cerebrum.engine.ffm.FfmEngineProvider;
}
