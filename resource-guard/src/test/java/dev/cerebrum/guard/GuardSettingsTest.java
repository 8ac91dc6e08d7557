package dev.cerebrum.guard;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GuardSettingsTest {
    @Test
    void defaults_areTheDocumentedOnes() {
        GuardSettings d = GuardSettings.defaults();
        assertEquals(Path.of("models/models.yaml"), d.modelsFile());
        assertEquals(Path.of("models"), d.modelsDir());
        assertEquals(1, d.defaultThreads());
        assertEquals(2048, d.defaultContextSize());
        assertEquals(1, d.defaultParallel());
        assertEquals(60, d.idleUnloadMinutes());
        assertEquals(1024, d.minFreeRamMb());
        assertEquals(1024L * 1024 * 1024, d.minFreeRamBytes());
        assertEquals(70.0, d.maxCpuPercent());
        assertEquals(2, d.maxLoadedModels());
        assertEquals(8, d.queueSize());
        assertEquals(Duration.ofSeconds(120), d.queueTimeout());
        assertEquals(Duration.ofSeconds(120), d.loadTimeout());
        assertEquals(Duration.ofSeconds(1), d.cpuSampleInterval());
        assertEquals(Duration.ofSeconds(30), d.idleCheckInterval());
        assertEquals(Duration.ofSeconds(5), d.retryAfter());
    }

    @Test
    void withMethods_changeOneComponentOnly() {
        GuardSettings d = GuardSettings.defaults();
        GuardSettings changed = d.withQueueSize(3).withMaxCpuPercent(50).withDefaultThreads(2);
        assertEquals(3, changed.queueSize());
        assertEquals(50.0, changed.maxCpuPercent());
        assertEquals(2, changed.defaultThreads());
        assertEquals(d.loadTimeout(), changed.loadTimeout());
        assertEquals(d.modelsFile(), changed.modelsFile());
    }

    @Test
    void invalidValues_areRefused() {
        GuardSettings d = GuardSettings.defaults();
        assertThrows(IllegalArgumentException.class, () -> d.withDefaultThreads(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxCpuPercent(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxCpuPercent(101));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxLoadedModels(0));
        assertThrows(IllegalArgumentException.class, () -> d.withQueueSize(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withQueueTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> d.withIdleUnloadMinutes(-1));
        assertThrows(IllegalArgumentException.class, () -> d.withDefaultParallel(4).withDefaultContextSize(32));
    }
}
