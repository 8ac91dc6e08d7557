package dev.cerebrum.guard;

final class Placeholder {
    private Placeholder() {
    }
}
