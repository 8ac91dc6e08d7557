/**
 * The model-format library: reads and writes GGUF files, inspects a model's shape, estimates the RAM it
 * needs, and writes synthetic models for tests, the demo and the benchmark.
 */
module dev.cerebrum.gguf {
    requires transitive dev.cerebrum.engine.api;

    exports dev.cerebrum.gguf;
}
