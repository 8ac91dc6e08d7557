/** Testcontainers support: a real Cerebrum backend in Docker. */
module dev.cerebrum.testcontainers {
    requires transitive dev.cerebrum.client;
    requires transitive testcontainers;

    exports dev.cerebrum.testcontainers;
}
