/** The HTTP server: routing, authentication, wire formats and the mapping of errors to statuses. */
module dev.cerebrum.server {
    requires dev.cerebrum.guard;
    requires dev.cerebrum.gguf;
    requires dev.cerebrum.grammar;
    requires dev.cerebrum.chat;
    requires io.helidon.webserver;
    requires dev.cerebrum.config;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires com.fasterxml.jackson.jr.ob;
    requires com.fasterxml.jackson.core;
    requires jdk.management;
    requires org.slf4j;
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;
    requires jul.to.slf4j;

    exports dev.cerebrum.server;
}
