/**
 * The reliability suite: load, faults, descriptor exhaustion, hostile inputs and hostile grammars against real
 * server processes on loopback, with a table of what held. Run {@code dev.cerebrum.reliability.Main --help}.
 * It also reads the class path, for the grammar corpora of the grammar module's test jar (compiled with
 * {@code --add-reads dev.cerebrum.reliability=ALL-UNNAMED}; the suite runs on the class path).
 */
module dev.cerebrum.reliability {
    requires java.net.http;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.jr.ob;
    requires jdk.management;
    requires dev.cerebrum.config;
    requires dev.cerebrum.gguf;
}
