/** The HTTP server: routing, authentication, wire formats and the mapping of errors to statuses. */
module dev.cerebrum.server {
    requires dev.cerebrum.guard;
    requires dev.cerebrum.gguf;
    requires dev.cerebrum.grammar;
    requires dev.cerebrum.chat;
    requires io.helidon.webserver;
    requires io.helidon.config;
    requires io.helidon.config.yaml;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires com.fasterxml.jackson.jr.ob;
    requires com.fasterxml.jackson.core;
    requires java.logging;
    requires jdk.management;

    exports dev.cerebrum.server;
    // java.util.logging instantiates the shutdown-aware LogManager that Main installs.
    exports dev.cerebrum.server.logging to java.logging;
}
