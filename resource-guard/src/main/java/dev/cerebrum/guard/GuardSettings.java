package dev.cerebrum.guard;

import dev.cerebrum.config.SettingsTable;
import dev.cerebrum.engine.ModelSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the registry and the model manager, read from variables by {@link #from} with the names, defaults
 * and bounds of {@link SettingsTable}; {@link #defaults()} are the table's defaults.
 *
 * @param modelsFile         the YAML registry ({@code CEREBRUM_MODELS_FILE})
 * @param modelsDir          relative model paths resolve against it ({@code CEREBRUM_MODELS_DIR})
 * @param defaultThreads     threads for generation and prompt processing ({@code CEREBRUM_N_THREADS})
 * @param defaultContextSize total context of a model without {@code ctx_size} ({@code CEREBRUM_CTX_SIZE})
 * @param defaultParallel    slots of a model without {@code parallel} ({@code CEREBRUM_PARALLEL})
 * @param idleUnloadMinutes  idle minutes before a model is unloaded, 0 never ({@code CEREBRUM_IDLE_UNLOAD_MINUTES})
 * @param minFreeRamMb       RAM that must stay available after a load ({@code CEREBRUM_MIN_FREE_RAM_MB})
 * @param maxCpuPercent      new work is refused while other processes take more than this share of the CPU
 *                           available to the backend ({@code MAX_CPU_PERCENT})
 * @param maxLoadedModels    most models loaded at once ({@code CEREBRUM_MAX_LOADED_MODELS})
 * @param queueSize          most requests waiting for a slot, per model ({@code CEREBRUM_QUEUE_SIZE})
 * @param queueTimeout       longest wait for a slot ({@code CEREBRUM_QUEUE_TIMEOUT_SECONDS})
 * @param loadTimeout        longest wait for a model to load ({@code CEREBRUM_LOAD_TIMEOUT_SECONDS})
 * @param cpuSampleInterval  how often CPU and RAM are sampled in the background ({@code CEREBRUM_CPU_SAMPLE_MS})
 * @param cpuWindow          the CPU figures are averages over this window ({@code CEREBRUM_CPU_WINDOW_SECONDS})
 * @param idleCheckInterval  how often idle models are looked for
 * @param retryAfter         the retry-after hint of a refusal
 * @param generationTimeout  longest a generation may take from its arrival, queue included; zero for no deadline
 *                           ({@code CEREBRUM_GENERATION_TIMEOUT_SECONDS})
 */
public record GuardSettings(Path modelsFile, Path modelsDir, int defaultThreads, int defaultContextSize,
                            int defaultParallel, int idleUnloadMinutes, long minFreeRamMb, double maxCpuPercent,
                            int maxLoadedModels, int queueSize, Duration queueTimeout, Duration loadTimeout,
                            Duration cpuSampleInterval, Duration cpuWindow, Duration idleCheckInterval,
                            Duration retryAfter, Duration generationTimeout) {
    /** The longest CPU window: the sampler keeps one reading per sample interval within it. */
    public static final Duration MAX_CPU_WINDOW = Duration.ofSeconds(SettingsTable.CPU_WINDOW_SECONDS.max());

    public GuardSettings {
        Objects.requireNonNull(modelsFile, "modelsFile");
        Objects.requireNonNull(modelsDir, "modelsDir");
        requirePositive(queueTimeout, "queueTimeout");
        requirePositive(loadTimeout, "loadTimeout");
        requirePositive(cpuSampleInterval, "cpuSampleInterval");
        requirePositive(cpuWindow, "cpuWindow");
        if (cpuWindow.compareTo(MAX_CPU_WINDOW) > 0) {
            throw new IllegalArgumentException("the CPU window must be at most " + MAX_CPU_WINDOW.toMinutes()
                    + " minutes, was " + cpuWindow);
        }
        requirePositive(idleCheckInterval, "idleCheckInterval");
        requirePositive(retryAfter, "retryAfter");
        Objects.requireNonNull(generationTimeout, "generationTimeout");
        if (generationTimeout.isNegative()) {
            throw new IllegalArgumentException("the generation timeout must not be negative, was " + generationTimeout);
        }
        if (defaultThreads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + defaultThreads);
        }
        if (defaultParallel < 1 || defaultParallel > 64) {
            throw new IllegalArgumentException("parallel must be 1..64, was " + defaultParallel);
        }
        if (defaultContextSize < 16 * defaultParallel) {
            throw new IllegalArgumentException("context size " + defaultContextSize + " is too small for "
                    + defaultParallel + " slots");
        }
        if (idleUnloadMinutes < 0) {
            throw new IllegalArgumentException("idle unload minutes must not be negative, was " + idleUnloadMinutes);
        }
        if (minFreeRamMb < 0) {
            throw new IllegalArgumentException("minimum free RAM must not be negative, was " + minFreeRamMb);
        }
        if (!(maxCpuPercent > 0 && maxCpuPercent <= 100)) {
            throw new IllegalArgumentException("max CPU percent must be in (0, 100], was " + maxCpuPercent);
        }
        if (maxLoadedModels < 1) {
            throw new IllegalArgumentException("max loaded models must be at least 1, was " + maxLoadedModels);
        }
        if (queueSize < 0) {
            throw new IllegalArgumentException("queue size must not be negative, was " + queueSize);
        }
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** The documented defaults, relative paths as they are. */
    public static GuardSettings defaults() {
        return from(Map.of(), Path.of(""));
    }

    /**
     * The settings these variables give ({@code CEREBRUM_CTX_SIZE}, ...), defaults for the missing ones; relative
     * paths resolve against {@code workDir}.
     *
     * @throws IllegalArgumentException naming the variable when a value is invalid
     */
    public static GuardSettings from(Map<String, String> vars, Path workDir) {
        int parallel = SettingsTable.PARALLEL.read(vars);
        int context = SettingsTable.CTX_SIZE.read(vars);
        if (context < ModelSpec.MIN_SLOT_CONTEXT * parallel) {
            throw new IllegalArgumentException(SettingsTable.CTX_SIZE.name() + " (" + context + ") is too small for "
                    + SettingsTable.PARALLEL.name() + "=" + parallel + " slots (at least 16 tokens each)");
        }
        return new GuardSettings(
                workDir.resolve(SettingsTable.MODELS_FILE.read(vars)),
                workDir.resolve(SettingsTable.MODELS_DIR.read(vars)),
                SettingsTable.THREADS.read(vars),
                context,
                parallel,
                SettingsTable.IDLE_UNLOAD_MINUTES.read(vars),
                SettingsTable.MIN_FREE_RAM_MB.read(vars),
                SettingsTable.MAX_CPU_PERCENT.read(vars),
                SettingsTable.MAX_LOADED_MODELS.read(vars),
                SettingsTable.QUEUE_SIZE.read(vars),
                SettingsTable.QUEUE_TIMEOUT.read(vars),
                SettingsTable.LOAD_TIMEOUT.read(vars),
                Duration.ofMillis(SettingsTable.CPU_SAMPLE_MS.read(vars)),
                Duration.ofSeconds(SettingsTable.CPU_WINDOW_SECONDS.read(vars)),
                SettingsTable.IDLE_CHECK.read(vars),
                SettingsTable.RETRY_AFTER.read(vars),
                SettingsTable.GENERATION_TIMEOUT.read(vars));
    }

    /** A copy with another generation timeout (zero for none). */
    public GuardSettings withGenerationTimeout(Duration v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout,
                cpuSampleInterval, cpuWindow, idleCheckInterval, retryAfter, v);
    }

    /** A copy with another models file. */
    public GuardSettings withModelsFile(Path v) {
        return new GuardSettings(v, modelsDir, defaultThreads, defaultContextSize, defaultParallel, idleUnloadMinutes,
                minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout, cpuSampleInterval,
                cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another models directory. */
    public GuardSettings withModelsDir(Path v) {
        return new GuardSettings(modelsFile, v, defaultThreads, defaultContextSize, defaultParallel, idleUnloadMinutes,
                minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout, cpuSampleInterval,
                cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another default thread count. */
    public GuardSettings withDefaultThreads(int v) {
        return new GuardSettings(modelsFile, modelsDir, v, defaultContextSize, defaultParallel, idleUnloadMinutes,
                minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout, cpuSampleInterval,
                cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another default context size. */
    public GuardSettings withDefaultContextSize(int v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, v, defaultParallel, idleUnloadMinutes,
                minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout, cpuSampleInterval,
                cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another default slot count. */
    public GuardSettings withDefaultParallel(int v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, v, idleUnloadMinutes,
                minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout, cpuSampleInterval,
                cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another default idle time. */
    public GuardSettings withIdleUnloadMinutes(int v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel, v,
                minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout, cpuSampleInterval,
                cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another RAM floor. */
    public GuardSettings withMinFreeRamMb(long v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, v, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout,
                cpuSampleInterval, cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another CPU limit. */
    public GuardSettings withMaxCpuPercent(double v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, minFreeRamMb, v, maxLoadedModels, queueSize, queueTimeout, loadTimeout,
                cpuSampleInterval, cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another cap on loaded models. */
    public GuardSettings withMaxLoadedModels(int v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, minFreeRamMb, maxCpuPercent, v, queueSize, queueTimeout, loadTimeout,
                cpuSampleInterval, cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another queue size. */
    public GuardSettings withQueueSize(int v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, minFreeRamMb, maxCpuPercent, maxLoadedModels, v, queueTimeout, loadTimeout,
                cpuSampleInterval, cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another queue timeout. */
    public GuardSettings withQueueTimeout(Duration v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, v, loadTimeout,
                cpuSampleInterval, cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another load timeout. */
    public GuardSettings withLoadTimeout(Duration v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, v,
                cpuSampleInterval, cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another CPU sample interval. */
    public GuardSettings withCpuSampleInterval(Duration v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout,
                v, cpuWindow, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another CPU window. */
    public GuardSettings withCpuWindow(Duration v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout,
                cpuSampleInterval, v, idleCheckInterval, retryAfter, generationTimeout);
    }

    /** A copy with another idle check interval. */
    public GuardSettings withIdleCheckInterval(Duration v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout,
                cpuSampleInterval, cpuWindow, v, retryAfter, generationTimeout);
    }

    /** A copy with another retry-after hint. */
    public GuardSettings withRetryAfter(Duration v) {
        return new GuardSettings(modelsFile, modelsDir, defaultThreads, defaultContextSize, defaultParallel,
                idleUnloadMinutes, minFreeRamMb, maxCpuPercent, maxLoadedModels, queueSize, queueTimeout, loadTimeout,
                cpuSampleInterval, cpuWindow, idleCheckInterval, v, generationTimeout);
    }

    /** The RAM floor in bytes. */
    public long minFreeRamBytes() {
        return minFreeRamMb * 1024L * 1024L;
    }
}
