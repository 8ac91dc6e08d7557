/**
 * The engine on the current llama.cpp C API, called through the Java FFM API ({@code java.lang.foreign}).
 * Its engine name is {@code ffm}. For now it holds what runs inside a worker process: the bindings, the
 * native loading and checks, and the in-process generation core; the provider comes with the worker.
 */
module dev.cerebrum.engine.ffm {
    requires transitive dev.cerebrum.engine.api;
}
