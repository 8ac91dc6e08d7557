/**
 * The engines on the current llama.cpp C API, called through the Java FFM API ({@code java.lang.foreign}):
 * {@code ffm}, where each loaded model runs in its own worker process, and {@code ffm-inprocess}, where it runs in
 * the server's process. It exports the generation core (what a worker runs, and what the benchmark's raw
 * reference uses); the engines themselves are found with ServiceLoader.
 */
module dev.cerebrum.engine.ffm {
    requires transitive dev.cerebrum.engine.api;
    requires dev.cerebrum.engine.worker;
    requires dev.cerebrum.gguf;

    exports dev.cerebrum.engine.ffm;

    provides dev.cerebrum.engine.spi.InferenceEngineProvider
            with dev.cerebrum.engine.ffm.FfmEngineProvider, dev.cerebrum.engine.ffm.InProcessEngineProvider;
}
