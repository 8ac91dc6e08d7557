package dev.cerebrum.testcontainers;

final class Placeholder {
    private Placeholder() {
    }
}
