/**
 * The benchmark: raw llama.cpp, the engine SPI and HTTP streaming through the client, on one
 * random-weight model of a real shape. Run {@code dev.cerebrum.bench.Main --help}.
 */
module dev.cerebrum.bench {
    requires dev.cerebrum.client;
    requires dev.cerebrum.engine.api;
    requires dev.cerebrum.gguf;
    requires llama;
    requires com.fasterxml.jackson.jr.ob;
    requires org.jfree.jfreechart;
    requires java.desktop;
}
