/** The HTTP server: routing, authentication, wire formats and the mapping of errors to statuses. */
module dev.cerebrum.server {
    requires dev.cerebrum.guard;
    requires dev.cerebrum.engine.llamacpp;
    requires io.helidon.webserver;
    requires io.helidon.webserver.sse;
    requires io.helidon.config;
    requires io.helidon.config.yaml;
    requires io.helidon.logging.jul;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires com.fasterxml.jackson.jr.ob;
    requires java.logging;
}
