package dev.cerebrum.bench;

final class Placeholder {
    private Placeholder() {
    }
}
