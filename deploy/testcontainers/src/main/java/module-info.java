/** Testcontainers support: a real Cerebrum backend in Docker, with a ready-made client. */
module dev.cerebrum.testcontainers {
    requires transitive dev.cerebrum.client;
    requires transitive testcontainers;
    requires com.github.dockerjava.api;

    exports dev.cerebrum.testcontainers;
}
