package dev.cerebrum.server;

final class Placeholder {
    private Placeholder() {
    }
}
