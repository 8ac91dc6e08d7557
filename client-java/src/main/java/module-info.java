/** A typed client for the Cerebrum backend. */
module dev.cerebrum.client {
    requires transitive java.net.http;
    requires com.fasterxml.jackson.jr.ob;

    exports dev.cerebrum.client;
}
