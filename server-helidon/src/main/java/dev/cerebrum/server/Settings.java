package dev.cerebrum.server;

import dev.cerebrum.config.SettingsSources;
import dev.cerebrum.config.SettingsTable;
import dev.cerebrum.engine.spi.EngineProperties;
import dev.cerebrum.guard.GuardSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every server setting, resolved and checked once at start-up from the variables of {@link SettingsSources} with
 * the names, defaults and bounds of {@link SettingsTable}. Relative paths are resolved against the working
 * directory. Messages about bad values never repeat a secret.
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
 * @param engineProperties      the engines' properties: the worker watchdog's durations, the ffm engine's natives
 * @param guard                 the registry and model manager settings
 */
record Settings(List<String> apiKeys, String metricsToken, String bindIp, int port, IpAllowlist allowlist,
                int authFailuresPerMinute, long maxBodyBytes, int maxPromptChars, int maxTokensLimit,
                ConnectionLimits connections, Duration shutdownGrace, Path logDir, Path runDir, String engine,
                Map<String, String> engineProperties, GuardSettings guard) {

    /** The placeholder of the original's example {@code .env}: never a real key. */
    static final String PLACEHOLDER_KEY = "your-api-key-here";

    Settings {
        engineProperties = Map.copyOf(engineProperties);
    }

    /**
     * Resolves the settings from merged variables.
     *
     * @throws IllegalArgumentException naming the variable when a value is missing or invalid
     */
    static Settings from(Map<String, String> vars, Path workDir) {
        List<String> keys = apiKeys(SettingsTable.API_KEY.read(vars));
        String metricsToken = SettingsTable.METRICS_TOKEN.read(vars);
        GuardSettings guard;
        try {
            guard = GuardSettings.from(vars, workDir);
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().contains("CEREBRUM") ? e
                    : new IllegalArgumentException("invalid model settings: " + e.getMessage(), e);
        }
        return new Settings(keys, metricsToken,
                SettingsTable.BIND_IP.read(vars),
                SettingsTable.PORT.read(vars),
                IpAllowlist.parse(SettingsTable.ALLOWED_IP.name(), vars.get(SettingsTable.ALLOWED_IP.name())),
                SettingsTable.AUTH_FAILURES.read(vars),
                SettingsTable.MAX_BODY_BYTES.read(vars),
                SettingsTable.MAX_PROMPT_CHARS.read(vars),
                SettingsTable.MAX_TOKENS_LIMIT.read(vars),
                connections(vars),
                SettingsTable.SHUTDOWN_GRACE.read(vars),
                workDir.resolve(SettingsTable.LOG_DIR.read(vars)),
                workDir.resolve(SettingsTable.RUN_DIR.read(vars)),
                SettingsTable.ENGINE.read(vars),
                engineProperties(vars, workDir),
                guard);
    }

    /** Every setting but the secrets, which are only counted. */
    @Override
    public String toString() {
        return "Settings[apiKeys=" + apiKeys.size() + " key(s), metricsToken=" + (metricsToken == null ? "none" : "set")
                + ", bindIp=" + bindIp + ", port=" + port + ", allowlist=" + allowlist + ", authFailuresPerMinute="
                + authFailuresPerMinute + ", maxBodyBytes=" + maxBodyBytes + ", maxPromptChars=" + maxPromptChars
                + ", maxTokensLimit=" + maxTokensLimit + ", connections=" + connections + ", shutdownGrace="
                + shutdownGrace + ", logDir=" + logDir + ", runDir=" + runDir + ", engine=" + engine
                + ", engineProperties=" + engineProperties + ", guard=" + guard + "]";
    }

    /** The worker watchdog's settings (ISO-8601 durations) and the natives folder as the engine properties of {@link EngineProperties}. */
    private static Map<String, String> engineProperties(Map<String, String> vars, Path workDir) {
        Map<String, String> properties = new HashMap<>(Map.of(
                EngineProperties.WORKER_PING_INTERVAL, SettingsTable.WORKER_PING_INTERVAL.read(vars).toString(),
                EngineProperties.WORKER_PING_TIMEOUT, SettingsTable.WORKER_PING_TIMEOUT.read(vars).toString(),
                EngineProperties.WORKER_STALL_TIMEOUT, SettingsTable.WORKER_STALL_TIMEOUT.read(vars).toString(),
                EngineProperties.WORKER_STALL_PER_PROMPT_TOKEN,
                SettingsTable.WORKER_STALL_PER_PROMPT_TOKEN.read(vars).toString()));
        String natives = SettingsTable.LLAMA_NATIVES_DIR.read(vars);
        if (natives != null) {
            properties.put(EngineProperties.LLAMA_NATIVES, workDir.resolve(natives).normalize().toString());
        }
        return properties;
    }

    /**
     * The connection limits; one client address may hold no more than all clients together.
     */
    private static ConnectionLimits connections(Map<String, String> vars) {
        int total = SettingsTable.MAX_CONNECTIONS.read(vars);
        int perPeer = SettingsTable.MAX_CONNECTIONS_PER_PEER.read(vars);
        if (perPeer > total) {
            throw new IllegalArgumentException(SettingsTable.MAX_CONNECTIONS_PER_PEER.name() + " (" + perPeer
                    + ") must not be more than " + SettingsTable.MAX_CONNECTIONS.name() + " (" + total + ")");
        }
        return new ConnectionLimits(total, perPeer, SettingsTable.HEADER_TIMEOUT.read(vars),
                SettingsTable.IDLE_TIMEOUT.read(vars));
    }

    private static List<String> apiKeys(String raw) {
        String name = SettingsTable.API_KEY.name();
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException(name + " is not set: the server refuses to start without an API key."
                    + " Put CEREBRUM_API_KEY=<a long random key> in .env or the environment"
                    + " (several keys may be given, comma-separated, for rotation).");
        }
        List<String> keys = Arrays.stream(raw.split(",")).map(String::strip).filter(k -> !k.isEmpty()).toList();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(name + " holds no key: the server refuses to start without an API key.");
        }
        if (keys.contains(PLACEHOLDER_KEY)) {
            throw new IllegalArgumentException(name + " still holds the example placeholder; set a real, random key.");
        }
        return keys;
    }
}
