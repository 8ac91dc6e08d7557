package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.spi.EngineProperties;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;

/**
 * When the watchdog kills a worker (SIGKILL). Engine properties, ISO-8601 durations; zero turns a
 * check off.
 * <ul>
 *   <li>Liveness: the engine pings every worker every {@code worker-ping-interval} (default
 *       {@value #DEFAULT_PING_INTERVAL}); the worker answers from its socket-reading thread, never
 *       from a generation's. A worker that has answered no ping for interval + {@code worker-ping-timeout}
 *       (default {@value #DEFAULT_PING_TIMEOUT}) is frozen (SIGSTOP, swapping to death, a JVM hang) and
 *       is killed at the next check: within 7 s with the defaults.</li>
 *   <li>Progress: while a worker has generations running, some piece of output must arrive at least
 *       every {@code worker-stall-timeout} (default {@value #DEFAULT_STALL_TIMEOUT}) plus
 *       {@code worker-stall-per-prompt-token} (default {@value #DEFAULT_STALL_PER_PROMPT_TOKEN}) for
 *       each prompt token of the running generations that have not produced output yet. A backend may
 *       report progress within a prompt ({@code GenerationSink.progress()}); the binding reports
 *       nothing while it processes a prompt, so that allowance must cover the slowest
 *       legitimate prompt: a 1.1B Q4_0 model processes 43 prompt tokens/s at 1 thread here, so a 7B
 *       one about 7/s, and an 8k-token slot takes about 20 minutes; 250 ms per token covers it with
 *       room to spare.</li>
 * </ul>
 *
 * @param pingInterval        how often the engine pings a worker; zero: no pings, no liveness check
 * @param pingTimeout         how long a ping may go unanswered
 * @param stallTimeout        the longest gap between outputs of a busy worker; zero: no progress check
 * @param stallPerPromptToken added to the gap for each prompt token still being processed
 */
public record WatchdogSettings(Duration pingInterval, Duration pingTimeout, Duration stallTimeout,
                               Duration stallPerPromptToken) {
    /** Engine property: how often workers are pinged. */
    public static final String PING_INTERVAL = EngineProperties.WORKER_PING_INTERVAL;
    /** Engine property: how long a ping may go unanswered. */
    public static final String PING_TIMEOUT = EngineProperties.WORKER_PING_TIMEOUT;
    /** Engine property: the longest gap between outputs of a busy worker. */
    public static final String STALL_TIMEOUT = EngineProperties.WORKER_STALL_TIMEOUT;
    /** Engine property: the allowance per prompt token still being processed. */
    public static final String STALL_PER_PROMPT_TOKEN = EngineProperties.WORKER_STALL_PER_PROMPT_TOKEN;
    /** Default of {@value #PING_INTERVAL}. */
    public static final String DEFAULT_PING_INTERVAL = EngineProperties.DEFAULT_WORKER_PING_INTERVAL;
    /** Default of {@value #PING_TIMEOUT}. */
    public static final String DEFAULT_PING_TIMEOUT = EngineProperties.DEFAULT_WORKER_PING_TIMEOUT;
    /** Default of {@value #STALL_TIMEOUT}. */
    public static final String DEFAULT_STALL_TIMEOUT = EngineProperties.DEFAULT_WORKER_STALL_TIMEOUT;
    /** Default of {@value #STALL_PER_PROMPT_TOKEN}. */
    public static final String DEFAULT_STALL_PER_PROMPT_TOKEN = EngineProperties.DEFAULT_WORKER_STALL_PER_PROMPT_TOKEN;

    public WatchdogSettings {
        for (Duration d : new Duration[]{pingInterval, pingTimeout, stallTimeout, stallPerPromptToken}) {
            Objects.requireNonNull(d, "durations");
            if (d.isNegative()) {
                throw new IllegalArgumentException("watchdog durations must not be negative: " + d);
            }
        }
        if (!pingInterval.isZero() && pingTimeout.isZero()) {
            throw new IllegalArgumentException("a ping timeout is needed when pings are sent");
        }
    }

    /** The defaults. */
    public static WatchdogSettings defaults() {
        return from(Map.of());
    }

    /**
     * The settings in these engine properties, defaults for the missing ones.
     *
     * @throws IllegalArgumentException naming the property that is not a valid duration
     */
    public static WatchdogSettings from(Map<String, String> properties) {
        return new WatchdogSettings(
                duration(properties, PING_INTERVAL, DEFAULT_PING_INTERVAL),
                duration(properties, PING_TIMEOUT, DEFAULT_PING_TIMEOUT),
                duration(properties, STALL_TIMEOUT, DEFAULT_STALL_TIMEOUT),
                duration(properties, STALL_PER_PROMPT_TOKEN, DEFAULT_STALL_PER_PROMPT_TOKEN));
    }

    private static Duration duration(Map<String, String> properties, String name, String fallback) {
        String value = properties.getOrDefault(name, fallback).strip();
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("engine property " + name + " must be an ISO-8601 duration such as "
                    + fallback + ", was '" + value + "'", e);
        }
    }

    /** Whether workers are pinged. */
    public boolean pings() {
        return !pingInterval.isZero();
    }

    /** Whether busy workers must make progress. */
    public boolean checksProgress() {
        return !stallTimeout.isZero();
    }

    /** How long a worker may go without answering a ping before it is killed. */
    public Duration unresponsiveAfter() {
        return pingInterval.plus(pingTimeout);
    }
}
