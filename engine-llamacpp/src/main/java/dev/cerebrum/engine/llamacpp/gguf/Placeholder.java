package dev.cerebrum.engine.llamacpp.gguf;

final class Placeholder {
    private Placeholder() {
    }
}
