/** Renders GGUF chat templates (Jinja) exactly as Python jinja2 does, with a bounded, sandboxed interpreter. */
module dev.cerebrum.chat {
    exports dev.cerebrum.chat;
}
