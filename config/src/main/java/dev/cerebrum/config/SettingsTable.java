package dev.cerebrum.config;

import dev.cerebrum.config.Setting.About;
import dev.cerebrum.config.Setting.Use;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineProperties;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the backend and its launcher, defined once: name, default, bounds and documentation. The
 * server's settings, the registry's defaults and the bounds of its per-model keys, {@code ./cerebrum models},
 * the launcher, the README's Configuration table and {@code deploy/.env.example} all come from here. Bounds that
 * belong to a lower module (the largest context an engine accepts, the watchdog's defaults) are that module's
 * constants.
 */
public final class SettingsTable {
    private static final Duration WEEK = Duration.ofDays(7);
    private static final Duration HOUR = Duration.ofHours(1);

    // --- Authentication ---
    /** The accepted API keys, comma-separated. */
    public static final Setting.Text API_KEY = secret("CEREBRUM_API_KEY", Group.AUTHENTICATION, Use.SHARED,
            "API key; several comma-separated keys are all accepted (rotation). The server refuses to start"
                    + " without one, or with the placeholder `your-api-key-here`. Clients send it as `X-API-Key:"
                    + " KEY` or `Authorization: Bearer KEY`; `./cerebrum key --write` sets a new random one here",
            "(required)");
    /** A bearer token accepted on {@code /metrics} only. */
    public static final Setting.Text METRICS_TOKEN = secret("CEREBRUM_METRICS_TOKEN", Group.AUTHENTICATION,
            Use.SERVER, "a bearer token accepted on `/metrics` only, besides the API key (for a Prometheus"
                    + " scraper)", null);
    /** Failed authentications per client address and minute before 429. */
    public static final Setting.Int AUTH_FAILURES = integer("CEREBRUM_AUTH_FAILURES_PER_MINUTE", 10, 0, 1_000_000,
            Group.AUTHENTICATION, Use.SERVER,
            "failed authentications per client address and minute before 429 `rate_limited`; 0 = no limit");

    // --- Network ---
    /** The address to listen on. */
    public static final Setting.Text BIND_IP = text("VPS_BIND_IP", "127.0.0.1", Group.NETWORK, Use.SHARED,
            "address to listen on. Bind locally and reach the backend through a tunnel or Tailscale; `0.0.0.0`"
                    + " listens on every interface (the container image uses it inside its own network)");
    /** The port. */
    public static final Setting.Int PORT = integer("CEREBRUM_VPS_PORT", 9000, 0, 65535, Group.NETWORK, Use.SHARED,
            "port; 0 picks a free one");
    /** The clients allowed on every endpoint but the public health ones. */
    public static final Setting.Text ALLOWED_IP = new Setting.Text(new About("ALLOWED_CM4_IP", Group.NETWORK,
            Use.SERVER, false, "comma-separated IPs or CIDRs, IPv4 and IPv6. When set, every endpoint except the"
            + " public health ones answers 403 to other peers, and other peers share a quarter of the connections."
            + " A value of only blanks or commas refuses the start", "unset (all peers)", "100.x.y.z"), null, false);

    // --- Connections ---
    /** Connections served at once. */
    public static final Setting.Int MAX_CONNECTIONS = integer("CEREBRUM_MAX_CONNECTIONS", 256, 1, 100_000,
            Group.CONNECTIONS, Use.SERVER, "connections served at once; more get 503 and are closed. Lowered at"
                    + " start when the open-files limit (`ulimit -n`, `LimitNOFILE=`) leaves less room");
    /** Connections one client address may hold. */
    public static final Setting.Int MAX_CONNECTIONS_PER_PEER = integer("CEREBRUM_MAX_CONNECTIONS_PER_PEER", 32, 1,
            100_000, Group.CONNECTIONS, Use.SERVER,
            "connections one client address may hold (at most `CEREBRUM_MAX_CONNECTIONS`)");
    /** Time to send a request's headers. */
    public static final Setting.Seconds HEADER_TIMEOUT = seconds("CEREBRUM_HEADER_TIMEOUT_SECONDS",
            Duration.ofSeconds(10), Duration.ofMillis(100), false, HOUR, Group.CONNECTIONS, Use.SERVER,
            "seconds to send a request's headers, from the connection's opening or the request's first byte; also"
                    + " the longest a body may stop arriving (then 408 and the connection closes)");
    /** How long a kept-alive connection may wait for its next request. */
    public static final Setting.Seconds IDLE_TIMEOUT = seconds("CEREBRUM_IDLE_TIMEOUT_SECONDS",
            Duration.ofSeconds(60), Duration.ofMillis(100), false, HOUR, Group.CONNECTIONS, Use.SERVER,
            "seconds a kept-alive connection may wait for its next request before it is closed");

    // --- Requests ---
    /** The largest request body. */
    public static final Setting.Int MAX_BODY_BYTES = integer("CEREBRUM_MAX_BODY_BYTES", 1 << 20, 1024,
            Integer.MAX_VALUE, Group.REQUESTS, Use.SERVER, "request body limit in bytes (413)");
    /** The longest prompt. */
    public static final Setting.Int MAX_PROMPT_CHARS = integer("CEREBRUM_MAX_PROMPT_CHARS", 100_000, 1,
            Integer.MAX_VALUE, Group.REQUESTS, Use.SERVER, "prompt length limit in characters (413)");
    /** The largest {@code max_tokens}. */
    public static final Setting.Int MAX_TOKENS_LIMIT = integer("CEREBRUM_MAX_TOKENS_LIMIT", 4096, 1, 1 << 20,
            Group.REQUESTS, Use.SERVER, "upper bound of `max_tokens` (400)");

    // --- CPU ---
    /** Threads per model. */
    public static final Setting.Int THREADS = integer("CEREBRUM_N_THREADS", 1, 1, 1024, Group.CPU, Use.SERVER,
            "threads per model for generation **and** prompt processing (a model's `threads:` overrides it);"
                    + " under systemd raise the unit's `CPUQuota` with it");
    /** The CPU rule's limit on other processes' load. */
    public static final Setting.Decimal MAX_CPU_PERCENT = new Setting.Decimal(new About("MAX_CPU_PERCENT",
            Group.CPU, Use.SERVER, false, "new work is refused (503) while **other** processes (all but the server"
            + " and its model workers) take more than this share of the CPU available to the backend (the host's"
            + " cores, or the cgroup quota), averaged over the CPU window", null, null), 70, 1, 100);
    /** The CPU and RAM sampling interval. */
    public static final Setting.Int CPU_SAMPLE_MS = integer("CEREBRUM_CPU_SAMPLE_MS", 1000, 50, 3_600_000, Group.CPU,
            Use.SERVER, "CPU and RAM sampling interval in milliseconds (a background thread)");
    /** The CPU window. */
    public static final Setting.Int CPU_WINDOW_SECONDS = integer("CEREBRUM_CPU_WINDOW_SECONDS", 5, 1, 3600,
            Group.CPU, Use.SERVER, "the CPU figures and the CPU rule use the average over this many seconds, so"
                    + " that one spike neither refuses nor admits");

    // --- Memory ---
    /** RAM that must stay available after a load. */
    public static final Setting.Int MIN_FREE_RAM_MB = integer("CEREBRUM_MIN_FREE_RAM_MB", 1024, 0, Integer.MAX_VALUE,
            Group.MEMORY, Use.SERVER, "RAM (MB) that must stay available after a model is loaded (under a cgroup"
                    + " memory limit: below the limit); idle models are unloaded to make room first");
    /** The most models loaded at once. */
    public static final Setting.Int MAX_LOADED_MODELS = integer("CEREBRUM_MAX_LOADED_MODELS", 2, 1, 1024,
            Group.MEMORY, Use.SERVER,
            "most models loaded at once; the least recently used idle one is unloaded to load another");
    /** Idle minutes before a model is unloaded. */
    public static final Setting.Int IDLE_UNLOAD_MINUTES = integer("CEREBRUM_IDLE_UNLOAD_MINUTES", 60, 0, 525_600,
            Group.MEMORY, Use.SERVER,
            "idle minutes before a model is unloaded; 0 = never (a model's `idle_unload_minutes:` overrides it)");
    /** How often idle models are looked for. */
    public static final Setting.Seconds IDLE_CHECK = positiveSeconds("CEREBRUM_IDLE_CHECK_SECONDS",
            Duration.ofSeconds(30), Group.MEMORY, Use.SERVER, "how often idle models are looked for, in seconds");

    // --- Models ---
    /** The YAML registry. */
    public static final Setting.Text MODELS_FILE = text("CEREBRUM_MODELS_FILE", "models/models.yaml", Group.MODELS,
            Use.SERVER, "the model registry (YAML, see [Models](#models)); when absent, the demo model is the"
                    + " registry. `./cerebrum models` lists it");
    /** Where relative model paths resolve. */
    public static final Setting.Text MODELS_DIR = text("CEREBRUM_MODELS_DIR", "models", Group.MODELS, Use.SERVER,
            "where relative model paths resolve");
    /** Context of a model without {@code ctx_size:}. */
    public static final Setting.Int CTX_SIZE = integer("CEREBRUM_CTX_SIZE", 2048, ModelSpec.MIN_SLOT_CONTEXT,
            ModelSpec.MAX_CONTEXT_SIZE, Group.MODELS, Use.SERVER, "total context tokens of a model without"
                    + " `ctx_size:`, shared by its slots; the same bounds apply to `ctx_size:` (an engine may accept"
                    + " less: llama.cpp at most 4× the trained context)");
    /** Slots of a model without {@code parallel:}. */
    public static final Setting.Int PARALLEL = integer("CEREBRUM_PARALLEL", 1, 1, ModelSpec.MAX_PARALLEL,
            Group.MODELS, Use.SERVER, "slots (concurrent generations) of a model without `parallel:`; the same"
                    + " bounds apply to `parallel:`");
    /** The longest wait for a model to load. */
    public static final Setting.Seconds LOAD_TIMEOUT = positiveSeconds("CEREBRUM_LOAD_TIMEOUT_SECONDS",
            Duration.ofSeconds(120), Group.MODELS, Use.SERVER,
            "longest a request waits for its model to load, in seconds");

    // --- Queues ---
    /** Requests that may wait for a slot, per model. */
    public static final Setting.Int QUEUE_SIZE = integer("CEREBRUM_QUEUE_SIZE", 8, 0, 100_000, Group.QUEUES,
            Use.SERVER, "requests that may wait for a slot, per model (beyond them 429 with `Retry-After`);"
                    + " 0 = no waiting");
    /** The longest wait for a slot. */
    public static final Setting.Seconds QUEUE_TIMEOUT = positiveSeconds("CEREBRUM_QUEUE_TIMEOUT_SECONDS",
            Duration.ofSeconds(120), Group.QUEUES, Use.SERVER, "longest wait for a slot, in seconds; also how long"
                    + " an unforced unload waits for running work");
    /** The longest a generation may take from its admission, queue included. */
    public static final Setting.Seconds GENERATION_TIMEOUT = seconds("CEREBRUM_GENERATION_TIMEOUT_SECONDS",
            Duration.ofSeconds(600), Duration.ZERO, false, WEEK, Group.QUEUES, Use.SERVER,
            "longest a generation may take from its admission (after any model load), queue included, in"
                    + " seconds; then it ends with `finish_reason` `length` and `deadline_exceeded: true`, keeping"
                    + " the text so far; 0 = no deadline");
    /** The {@code Retry-After} hint. */
    public static final Setting.Seconds RETRY_AFTER = positiveSeconds("CEREBRUM_RETRY_AFTER_SECONDS",
            Duration.ofSeconds(5), Group.QUEUES, Use.SERVER, "the `Retry-After` hint on 429 and 503, in seconds");

    // --- Engine and model workers ---
    /** The inference engine. */
    public static final Setting.Text ENGINE = text("CEREBRUM_ENGINE", "ffm", Group.ENGINE, Use.SERVER,
            "the default engine, for models whose registry entry names none (`engine:`): `ffm`, the current"
                    + " llama.cpp through FFM (Qwen3, gpt-oss, GLM-4.x ...), each model in a worker process;"
                    + " `ffm-inprocess`, the same in the server's own process (less work per token, but a crash in"
                    + " llama.cpp ends the server); or `llamacpp`, java-llama.cpp with llama.cpp b4916 (March 2025)."
                    + " Without the ffm engine's libraries the server serves with `llamacpp` and logs which models"
                    + " need `ffm`");
    /** The folder of the ffm engine's llama.cpp libraries. */
    public static final Setting.Text LLAMA_NATIVES_DIR = new Setting.Text(new About("CEREBRUM_LLAMA_NATIVES_DIR",
            Group.ENGINE, Use.SHARED, false, "the folder of the ffm engine's llama.cpp libraries; unset = the cache"
            + " `engine-ffm/natives/fetch-natives.sh` fills (`$CEREBRUM_LLAMA_CACHE/<version>/linux-x64`), which"
            + " the launcher fetches with npm when it is missing. The container image sets `/app/natives`",
            "the launcher's cache", ""), null, false);
    /** Where the fetched llama.cpp libraries are cached. */
    public static final Setting.Text LLAMA_CACHE = new Setting.Text(new About("CEREBRUM_LLAMA_CACHE",
            Group.ENGINE, Use.SHARED, true, "where `fetch-natives.sh` (run by the launcher) caches the ffm engine's"
            + " llama.cpp libraries, one folder per version and platform (environment only)",
            "`~/.cache/cerebrum/llama.cpp`", null), null, false);
    /** How often the watchdog pings each model worker. */
    public static final Setting.Seconds WORKER_PING_INTERVAL = seconds("CEREBRUM_WORKER_PING_INTERVAL_SECONDS",
            Duration.parse(EngineProperties.DEFAULT_WORKER_PING_INTERVAL), Duration.ZERO, false, HOUR,
            Group.ENGINE, Use.SERVER, "how often the watchdog pings each model worker, in seconds; 0 = no pings"
                    + " and no check for frozen workers");
    /** How long a ping may go unanswered. */
    public static final Setting.Seconds WORKER_PING_TIMEOUT = seconds("CEREBRUM_WORKER_PING_TIMEOUT_SECONDS",
            Duration.parse(EngineProperties.DEFAULT_WORKER_PING_TIMEOUT), Duration.ofMillis(100), false, HOUR,
            Group.ENGINE, Use.SERVER, "a worker that has answered no ping for the interval plus this many seconds"
                    + " is frozen and killed (SIGKILL); its requests get an error and the next one loads the model"
                    + " again");
    /** The longest gap between outputs of a busy worker. */
    public static final Setting.Seconds WORKER_STALL_TIMEOUT = seconds("CEREBRUM_WORKER_STALL_TIMEOUT_SECONDS",
            Duration.parse(EngineProperties.DEFAULT_WORKER_STALL_TIMEOUT), Duration.ZERO, false, WEEK,
            Group.ENGINE, Use.SERVER, "a worker with generations running must produce some output at least this"
                    + " often (seconds, plus the per-prompt-token allowance) or it is killed; 0 = no progress check");
    /** The stall allowance per prompt token still being processed. */
    public static final Setting.Seconds WORKER_STALL_PER_PROMPT_TOKEN = seconds(
            "CEREBRUM_WORKER_STALL_PER_PROMPT_TOKEN_SECONDS",
            Duration.parse(EngineProperties.DEFAULT_WORKER_STALL_PER_PROMPT_TOKEN), Duration.ZERO, false,
            Duration.ofMinutes(1), Group.ENGINE, Use.SERVER, "seconds added to the stall timeout for each prompt"
                    + " token still being processed (llama.cpp reports nothing while it reads a prompt)");

    // --- Files and process ---
    /** Where the log file goes. */
    public static final Setting.Text LOG_DIR = text("CEREBRUM_LOG_DIR", "logs", Group.FILES, Use.SHARED,
            "where `backend.log` goes (rotated at 10 MB, 5 files kept), and `console.log` of `./cerebrum start`");
    /** The engine's work directory and the launcher's pid file. */
    public static final Setting.Text RUN_DIR = text("CEREBRUM_RUN_DIR", "run", Group.FILES, Use.SHARED,
            "engine work folders, one per engine (`run/ffm`, `run/llamacpp`: sockets, worker temp folders, the"
                    + " extracted native library) and the launcher's pid file");
    /** How long running requests may finish on SIGTERM. */
    public static final Setting.Seconds SHUTDOWN_GRACE = positiveSeconds("CEREBRUM_SHUTDOWN_GRACE_SECONDS",
            Duration.ofSeconds(30), Group.FILES, Use.SHARED,
            "on SIGTERM, how long running requests may finish before they are ended, in seconds");
    /** An optional YAML file of these settings. */
    public static final Setting.Text CONFIG_FILE = new Setting.Text(new About("CEREBRUM_CONFIG_FILE", Group.FILES,
            Use.SHARED, false, "optional YAML file of these settings, below `.env` and the environment:"
            + " `cerebrum.vps-port: 9001` is read as `CEREBRUM_VPS_PORT`, upper-case top-level keys such as"
            + " `MAX_CPU_PERCENT` as they are", null, ""), null, false);
    /** The env file to read. */
    public static final Setting.Text ENV_FILE = new Setting.Text(new About("CEREBRUM_ENV_FILE", Group.FILES,
            Use.SHARED, true, "the env file to read (environment only); empty = none", null, null), ".env", false);

    // --- Launcher only ---
    /** Extra JVM options of the server process. */
    public static final Setting.Text JAVA_OPTS = new Setting.Text(new About("CEREBRUM_JAVA_OPTS", Group.LAUNCHER,
            Use.LAUNCHER, false, "extra JVM options of the server process (the model workers size themselves)",
            null, "-Xmx512m"), null, false);
    /** Seconds {@code start} waits for {@code /health}. */
    public static final Setting.Int START_TIMEOUT = integer("CEREBRUM_START_TIMEOUT", 120, 1, 86_400,
            Group.LAUNCHER, Use.LAUNCHER, "seconds `./cerebrum start` waits for `/health`");
    /** Seconds {@code stop} waits before SIGKILL. */
    public static final Setting.Int STOP_TIMEOUT = new Setting.Int(new About("CEREBRUM_STOP_TIMEOUT", Group.LAUNCHER,
            Use.LAUNCHER, false, "seconds `./cerebrum stop` waits after SIGTERM before SIGKILL",
            "the shutdown grace + 15", "45"), null, 1, 86_400);
    /** The launcher's working directory. */
    public static final Setting.Text HOME = new Setting.Text(new About("CEREBRUM_HOME", Group.LAUNCHER, Use.LAUNCHER,
            true, "the working directory holding `.env`, `logs/`, `run/` and `models/` (environment only)",
            "the repository", null), null, false);
    /** Never run Maven. */
    public static final Setting.Text NO_BUILD = new Setting.Text(new About("CEREBRUM_NO_BUILD", Group.LAUNCHER,
            Use.LAUNCHER, true, "`1` or `true`: never run Maven, use the jars as they are (environment only)", "unset",
            "1"), null, false);
    /** Where JDKs are looked for after {@code JAVA_HOME}. */
    public static final Setting.Text JVM_DIR = new Setting.Text(new About("CEREBRUM_JVM_DIR", Group.LAUNCHER,
            Use.LAUNCHER, true, "where JDKs 21+ are looked for after `JAVA_HOME` (environment only)", null, null),
            "/usr/lib/jvm", false);

    /** Every setting, in documentation order. */
    public static final List<Setting> ALL = List.of(
            API_KEY, METRICS_TOKEN, AUTH_FAILURES,
            BIND_IP, PORT, ALLOWED_IP,
            MAX_CONNECTIONS, MAX_CONNECTIONS_PER_PEER, HEADER_TIMEOUT, IDLE_TIMEOUT,
            MAX_BODY_BYTES, MAX_PROMPT_CHARS, MAX_TOKENS_LIMIT,
            THREADS, MAX_CPU_PERCENT, CPU_SAMPLE_MS, CPU_WINDOW_SECONDS,
            MIN_FREE_RAM_MB, MAX_LOADED_MODELS, IDLE_UNLOAD_MINUTES, IDLE_CHECK,
            MODELS_FILE, MODELS_DIR, CTX_SIZE, PARALLEL, LOAD_TIMEOUT,
            QUEUE_SIZE, QUEUE_TIMEOUT, GENERATION_TIMEOUT, RETRY_AFTER,
            ENGINE, LLAMA_NATIVES_DIR, LLAMA_CACHE, WORKER_PING_INTERVAL, WORKER_PING_TIMEOUT, WORKER_STALL_TIMEOUT, WORKER_STALL_PER_PROMPT_TOKEN,
            LOG_DIR, RUN_DIR, SHUTDOWN_GRACE, CONFIG_FILE, ENV_FILE,
            JAVA_OPTS, START_TIMEOUT, STOP_TIMEOUT, HOME, NO_BUILD, JVM_DIR);

    private SettingsTable() {
    }

    /** The setting of that name. */
    public static Optional<Setting> find(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    private static Setting.Int integer(String name, int dflt, int min, int max, Group group, Use use, String doc) {
        return new Setting.Int(new About(name, group, use, false, doc, null, null), dflt, min, max);
    }

    private static Setting.Seconds seconds(String name, Duration dflt, Duration min, boolean minExclusive,
                                           Duration max, Group group, Use use, String doc) {
        return new Setting.Seconds(new About(name, group, use, false, doc, null, null), dflt, min, minExclusive, max);
    }

    /** More than zero, at most a week. */
    private static Setting.Seconds positiveSeconds(String name, Duration dflt, Group group, Use use, String doc) {
        return seconds(name, dflt, Duration.ZERO, true, WEEK, group, use, doc);
    }

    private static Setting.Text text(String name, String dflt, Group group, Use use, String doc) {
        return new Setting.Text(new About(name, group, use, false, doc, null, null), dflt, false);
    }

    private static Setting.Text secret(String name, Group group, Use use, String doc, String shownDefault) {
        return new Setting.Text(new About(name, group, use, false, doc, shownDefault, null), null, true);
    }
}
