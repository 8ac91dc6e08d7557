package dev.cerebrum.client;

final class Placeholder {
    private Placeholder() {
    }
}
