package dev.cerebrum.server;

import dev.cerebrum.guard.GuardSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Every server setting, resolved and checked once at start-up. Relative paths are resolved against the
 * working directory. Messages about bad values never repeat a secret.
 *
 * @param apiKeys               accepted API keys ({@code CEREBRUM_API_KEY}, comma-separated)
 * @param metricsToken          an extra bearer token for {@code /metrics} only, or null
 * @param bindIp                the address to listen on ({@code VPS_BIND_IP})
 * @param port                  the port, 0 for a random one ({@code CEREBRUM_VPS_PORT})
 * @param allowlist             peers allowed on non-health endpoints ({@code ALLOWED_CM4_IP})
 * @param authFailuresPerMinute failed authentications a peer may make per minute, 0 for no limit
 * @param maxBodyBytes          largest request body
 * @param maxPromptChars        longest prompt, in characters
 * @param maxTokensLimit        largest {@code max_tokens}
 * @param connections           limits and timeouts of client connections
 * @param shutdownGrace         how long running requests may finish on shutdown
 * @param logDir                where {@code backend.log} goes
 * @param runDir                the engine's work directory
 * @param engine                the default inference engine's name (models whose entry names none run on it)
 * @param llamaNativesDir       the folder of the ffm engine's llama.cpp libraries, or null for the engine's default
 * @param guard                 the registry and model manager settings
 */
record Settings(List<String> apiKeys, String metricsToken, String bindIp, int port, IpAllowlist allowlist,
                int authFailuresPerMinute, long maxBodyBytes, int maxPromptChars, int maxTokensLimit,
                ConnectionLimits connections, Duration shutdownGrace, Path logDir, Path runDir, String engine,
                Path llamaNativesDir, GuardSettings guard) {

    static final String API_KEY = "CEREBRUM_API_KEY";
    static final String METRICS_TOKEN = "CEREBRUM_METRICS_TOKEN";
    static final String BIND_IP = "VPS_BIND_IP";
    static final String PORT = "CEREBRUM_VPS_PORT";
    static final String ALLOWED_IP = "ALLOWED_CM4_IP";
    static final String AUTH_FAILURES = "CEREBRUM_AUTH_FAILURES_PER_MINUTE";
    static final String MAX_BODY_BYTES = "CEREBRUM_MAX_BODY_BYTES";
    static final String MAX_PROMPT_CHARS = "CEREBRUM_MAX_PROMPT_CHARS";
    static final String MAX_TOKENS_LIMIT = "CEREBRUM_MAX_TOKENS_LIMIT";
    static final String MAX_CONNECTIONS = "CEREBRUM_MAX_CONNECTIONS";
    static final String MAX_CONNECTIONS_PER_PEER = "CEREBRUM_MAX_CONNECTIONS_PER_PEER";
    static final String HEADER_TIMEOUT = "CEREBRUM_HEADER_TIMEOUT_SECONDS";
    static final String IDLE_TIMEOUT = "CEREBRUM_IDLE_TIMEOUT_SECONDS";
    static final String SHUTDOWN_GRACE = "CEREBRUM_SHUTDOWN_GRACE_SECONDS";
    static final String LOG_DIR = "CEREBRUM_LOG_DIR";
    static final String RUN_DIR = "CEREBRUM_RUN_DIR";
    static final String ENGINE = "CEREBRUM_ENGINE";
    static final String LLAMA_NATIVES_DIR = "CEREBRUM_LLAMA_NATIVES_DIR";
    /** The default engine: the current llama.cpp through FFM. */
    static final String DEFAULT_ENGINE = "ffm";

    static final String N_THREADS = "CEREBRUM_N_THREADS";
    static final String MAX_CPU_PERCENT = "MAX_CPU_PERCENT";
    static final String MODELS_FILE = "CEREBRUM_MODELS_FILE";
    static final String MODELS_DIR = "CEREBRUM_MODELS_DIR";
    static final String CTX_SIZE = "CEREBRUM_CTX_SIZE";
    static final String PARALLEL = "CEREBRUM_PARALLEL";
    static final String IDLE_UNLOAD_MINUTES = "CEREBRUM_IDLE_UNLOAD_MINUTES";
    static final String MIN_FREE_RAM_MB = "CEREBRUM_MIN_FREE_RAM_MB";
    static final String MAX_LOADED_MODELS = "CEREBRUM_MAX_LOADED_MODELS";
    static final String QUEUE_SIZE = "CEREBRUM_QUEUE_SIZE";
    static final String QUEUE_TIMEOUT = "CEREBRUM_QUEUE_TIMEOUT_SECONDS";
    static final String LOAD_TIMEOUT = "CEREBRUM_LOAD_TIMEOUT_SECONDS";
    static final String RETRY_AFTER = "CEREBRUM_RETRY_AFTER_SECONDS";
    static final String CPU_SAMPLE_MS = "CEREBRUM_CPU_SAMPLE_MS";
    static final String CPU_WINDOW_SECONDS = "CEREBRUM_CPU_WINDOW_SECONDS";
    static final String IDLE_CHECK_SECONDS = "CEREBRUM_IDLE_CHECK_SECONDS";

    /** The placeholder of the original's example {@code .env}: never a real key. */
    static final String PLACEHOLDER_KEY = "your-api-key-here";

    /**
     * Resolves the settings from merged variables.
     *
     * @throws IllegalArgumentException naming the variable when a value is missing or invalid
     */
    static Settings from(Map<String, String> vars, Path workDir) {
        Reader r = new Reader(vars);
        List<String> keys = apiKeys(vars.get(API_KEY));
        String metricsToken = blankToNull(vars.get(METRICS_TOKEN));

        GuardSettings d = GuardSettings.defaults();
        GuardSettings guard;
        try {
            guard = new GuardSettings(
                    workDir.resolve(r.string(MODELS_FILE, d.modelsFile().toString())),
                    workDir.resolve(r.string(MODELS_DIR, d.modelsDir().toString())),
                    r.integer(N_THREADS, d.defaultThreads(), 1, 1024),
                    r.integer(CTX_SIZE, d.defaultContextSize(), 16, 1 << 24),
                    r.integer(PARALLEL, d.defaultParallel(), 1, 64),
                    r.integer(IDLE_UNLOAD_MINUTES, d.idleUnloadMinutes(), 0, 1_000_000),
                    r.integer(MIN_FREE_RAM_MB, (int) d.minFreeRamMb(), 0, Integer.MAX_VALUE),
                    r.decimal(MAX_CPU_PERCENT, d.maxCpuPercent(), 1, 100),
                    r.integer(MAX_LOADED_MODELS, d.maxLoadedModels(), 1, 1024),
                    r.integer(QUEUE_SIZE, d.queueSize(), 0, 100_000),
                    r.seconds(QUEUE_TIMEOUT, d.queueTimeout()),
                    r.seconds(LOAD_TIMEOUT, d.loadTimeout()),
                    Duration.ofMillis(r.integer(CPU_SAMPLE_MS, (int) d.cpuSampleInterval().toMillis(), 50, 3_600_000)),
                    Duration.ofSeconds(r.integer(CPU_WINDOW_SECONDS, (int) d.cpuWindow().toSeconds(), 1, 3600)),
                    r.seconds(IDLE_CHECK_SECONDS, d.idleCheckInterval()),
                    r.seconds(RETRY_AFTER, d.retryAfter()));
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().contains("CEREBRUM") ? e
                    : new IllegalArgumentException("invalid model settings: " + e.getMessage(), e);
        }

        return new Settings(keys, metricsToken,
                r.string(BIND_IP, "127.0.0.1"),
                r.integer(PORT, 9000, 0, 65535),
                IpAllowlist.parse(ALLOWED_IP, vars.get(ALLOWED_IP)),
                r.integer(AUTH_FAILURES, 10, 0, 1_000_000),
                r.integer(MAX_BODY_BYTES, 1 << 20, 1024, Integer.MAX_VALUE),
                r.integer(MAX_PROMPT_CHARS, 100_000, 1, Integer.MAX_VALUE),
                r.integer(MAX_TOKENS_LIMIT, 4096, 1, 1 << 20),
                connections(r),
                r.seconds(SHUTDOWN_GRACE, Duration.ofSeconds(30)),
                workDir.resolve(r.string(LOG_DIR, "logs")),
                workDir.resolve(r.string(RUN_DIR, "run")),
                r.string(ENGINE, DEFAULT_ENGINE),
                blankToNull(vars.get(LLAMA_NATIVES_DIR)) == null ? null
                        : workDir.resolve(blankToNull(vars.get(LLAMA_NATIVES_DIR))),
                guard);
    }

    /** Every setting but the secrets, which are only counted. */
    @Override
    public String toString() {
        return "Settings[apiKeys=" + apiKeys.size() + " key(s), metricsToken=" + (metricsToken == null ? "none" : "set")
                + ", bindIp=" + bindIp + ", port=" + port + ", allowlist=" + allowlist + ", authFailuresPerMinute="
                + authFailuresPerMinute + ", maxBodyBytes=" + maxBodyBytes + ", maxPromptChars=" + maxPromptChars
                + ", maxTokensLimit=" + maxTokensLimit + ", connections=" + connections + ", shutdownGrace="
                + shutdownGrace + ", logDir=" + logDir + ", runDir=" + runDir + ", engine=" + engine + ", llamaNativesDir="
                + (llamaNativesDir == null ? "default" : llamaNativesDir) + ", guard=" + guard
                + "]";
    }

    /**
     * Defaults for a small VPS serving one orchestrator, which holds a handful of connections: room for a few
     * hundred, an eighth of it per client address, headers within 10 s and a minute of keep-alive.
     */
    private static ConnectionLimits connections(Reader r) {
        int total = r.integer(MAX_CONNECTIONS, 256, 1, 100_000);
        int perPeer = r.integer(MAX_CONNECTIONS_PER_PEER, 32, 1, 100_000);
        if (perPeer > total) {
            throw new IllegalArgumentException(MAX_CONNECTIONS_PER_PEER + " (" + perPeer + ") must not be more than "
                    + MAX_CONNECTIONS + " (" + total + ")");
        }
        Duration header = r.seconds(HEADER_TIMEOUT, Duration.ofSeconds(10));
        Duration idle = r.seconds(IDLE_TIMEOUT, Duration.ofSeconds(60));
        for (Map.Entry<String, Duration> t : Map.of(HEADER_TIMEOUT, header, IDLE_TIMEOUT, idle).entrySet()) {
            if (t.getValue().compareTo(Duration.ofMillis(100)) < 0 || t.getValue().compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(t.getKey() + " must be from 0.1 to 3600 seconds (was "
                        + t.getValue().toMillis() / 1000.0 + ")");
            }
        }
        return new ConnectionLimits(total, perPeer, header, idle);
    }

    private static List<String> apiKeys(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException(API_KEY + " is not set: the server refuses to start without an API key."
                    + " Put CEREBRUM_API_KEY=<a long random key> in .env or the environment"
                    + " (several keys may be given, comma-separated, for rotation).");
        }
        List<String> keys = Arrays.stream(raw.split(",")).map(String::strip).filter(k -> !k.isEmpty()).toList();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(API_KEY + " holds no key: the server refuses to start without an API key.");
        }
        if (keys.contains(PLACEHOLDER_KEY)) {
            throw new IllegalArgumentException(API_KEY + " still holds the example placeholder; set a real, random key.");
        }
        return keys;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Typed reads of variables, with errors that name the variable. */
    private record Reader(Map<String, String> vars) {
        String string(String name, String dflt) {
            String v = vars.get(name);
            return v == null || v.isBlank() ? dflt : v.strip();
        }

        int integer(String name, int dflt, int min, int max) {
            String v = vars.get(name);
            if (v == null || v.isBlank()) {
                return dflt;
            }
            try {
                int i = Integer.parseInt(v.strip());
                if (i >= min && i <= max) {
                    return i;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(name + " must be an integer from " + min + " to " + max
                    + " (was '" + v.strip() + "')");
        }

        double decimal(String name, double dflt, double min, double max) {
            String v = vars.get(name);
            if (v == null || v.isBlank()) {
                return dflt;
            }
            try {
                double d = Double.parseDouble(v.strip());
                if (d >= min && d <= max) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(name + " must be a number from " + min + " to " + max
                    + " (was '" + v.strip() + "')");
        }

        Duration seconds(String name, Duration dflt) {
            String v = vars.get(name);
            if (v == null || v.isBlank()) {
                return dflt;
            }
            try {
                double d = Double.parseDouble(v.strip());
                if (d > 0 && d <= 86_400 * 7) {
                    return Duration.ofMillis(Math.round(d * 1000));
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(name + " must be a number of seconds greater than 0 (was '"
                    + v.strip() + "')");
        }
    }
}
