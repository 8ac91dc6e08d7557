/** The llama.cpp engine: one worker process per loaded model, plus GGUF reading and writing. */
module dev.cerebrum.engine.llamacpp {
    requires transitive dev.cerebrum.engine.api;
    requires dev.cerebrum.grammar;
    requires llama;

    exports dev.cerebrum.engine.llamacpp.gguf;

    provides dev.cerebrum.engine.spi.InferenceEngineProvider
            with dev.cerebrum.engine.llamacpp.LlamaCppEngineProvider;
}
