/**
 * A typed client for the Cerebrum backend over {@code java.net.http}. Only {@code dev.cerebrum.client}
 * is exported; the implementation lives in an internal package.
 */
module dev.cerebrum.client {
    requires java.net.http;
    requires com.fasterxml.jackson.jr.ob;

    exports dev.cerebrum.client;
}
