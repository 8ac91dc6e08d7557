/**
 * The reliability suite: load, descriptor exhaustion and hostile inputs against real server processes on
 * loopback, with a table of what held. Run {@code dev.cerebrum.reliability.Main --help}.
 */
module dev.cerebrum.reliability {
    requires java.net.http;
    requires com.fasterxml.jackson.jr.ob;
    requires jdk.management;
}
