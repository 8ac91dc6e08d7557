/** The llama.cpp engine on de.kherud:llama: one worker process per loaded model. */
module dev.cerebrum.engine.llamacpp {
    requires transitive dev.cerebrum.engine.api;
    requires dev.cerebrum.engine.worker;
    requires dev.cerebrum.gguf;
    requires llama;

    provides dev.cerebrum.engine.spi.InferenceEngineProvider
            with dev.cerebrum.engine.llamacpp.LlamaCppEngineProvider;
}
