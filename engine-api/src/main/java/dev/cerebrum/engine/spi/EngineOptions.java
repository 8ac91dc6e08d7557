package dev.cerebrum.engine.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Options an engine is created with.
 *
 * @param workDir    a private directory the engine may use for sockets and scratch files
 * @param properties engine-specific settings
 */
public record EngineOptions(Path workDir, Map<String, String> properties) {
    public EngineOptions {
        Objects.requireNonNull(workDir, "workDir");
        properties = Map.copyOf(properties);
    }

    /** Options with no engine-specific settings. */
    public static EngineOptions of(Path workDir) {
        return new EngineOptions(workDir, Map.of());
    }
}
