package dev.cerebrum.engine.spi;

/**
 * Names and defaults of the engine properties ({@link EngineOptions#properties()}) that every engine running its
 * models in worker processes understands: the worker watchdog's durations, as ISO-8601 text. Zero turns a check
 * off. Besides them, {@link #LLAMA_NATIVES} for the ffm engine. The server sets them from its settings; an engine uses the defaults for the ones it is not given.
 */
public final class EngineProperties {
    /** How often each worker is pinged. */
    public static final String WORKER_PING_INTERVAL = "worker-ping-interval";
    /** How long a ping may go unanswered, on top of the interval, before the worker is killed. */
    public static final String WORKER_PING_TIMEOUT = "worker-ping-timeout";
    /** The longest gap between outputs of a worker with generations running. */
    public static final String WORKER_STALL_TIMEOUT = "worker-stall-timeout";
    /** Added to that gap for each prompt token still being processed. */
    public static final String WORKER_STALL_PER_PROMPT_TOKEN = "worker-stall-per-prompt-token";

    /** The folder of the llama.cpp libraries, for the engine on the current llama.cpp ({@code ffm}). */
    public static final String LLAMA_NATIVES = "llama-natives";

    /** Default of {@value #WORKER_PING_INTERVAL}. */
    public static final String DEFAULT_WORKER_PING_INTERVAL = "PT1S";
    /** Default of {@value #WORKER_PING_TIMEOUT}. */
    public static final String DEFAULT_WORKER_PING_TIMEOUT = "PT5S";
    /** Default of {@value #WORKER_STALL_TIMEOUT}. */
    public static final String DEFAULT_WORKER_STALL_TIMEOUT = "PT5M";
    /** Default of {@value #WORKER_STALL_PER_PROMPT_TOKEN}. */
    public static final String DEFAULT_WORKER_STALL_PER_PROMPT_TOKEN = "PT0.25S";

    private EngineProperties() {
    }
}
