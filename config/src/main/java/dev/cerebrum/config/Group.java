package dev.cerebrum.config;

/** The sections the settings are documented in, in the order of {@code deploy/.env.example}. */
public enum Group {
    /** API keys and the failed-authentication limit. */
    AUTHENTICATION("Authentication"),
    /** The listening address and port, and the allowed clients. */
    NETWORK("Network"),
    /** Connection limits and timeouts. */
    CONNECTIONS("Connections"),
    /** Limits of a single request. */
    REQUESTS("Requests"),
    /** Threads and the CPU rule. */
    CPU("CPU"),
    /** The RAM floor and how many models stay loaded. */
    MEMORY("Memory"),
    /** The model registry and the defaults of its entries. */
    MODELS("Models"),
    /** Waiting for a slot or a load. */
    QUEUES("Queues"),
    /** The engine and its worker processes. */
    ENGINE("Engine and model workers"),
    /** Files, directories and the process. */
    FILES("Files and process"),
    /** Settings only {@code ./cerebrum} reads. */
    LAUNCHER("Launcher only (./cerebrum)");

    private final String title;

    Group(String title) {
        this.title = title;
    }

    /** The section's heading. */
    public String title() {
        return title;
    }
}
