/**
 * The benchmark: raw llama.cpp (the binding's b4916 and the ffm engine's current one), the engines and HTTP
 * streaming through the client, on one random-weight model of a real shape. Run {@code dev.cerebrum.bench.Main --help}.
 */
module dev.cerebrum.bench {
    requires dev.cerebrum.client;
    requires dev.cerebrum.engine.api;
    requires dev.cerebrum.engine.ffm;
    requires dev.cerebrum.gguf;
    requires llama;
    requires com.fasterxml.jackson.jr.ob;
    requires org.jfree.jfreechart;
    requires java.desktop;
}
