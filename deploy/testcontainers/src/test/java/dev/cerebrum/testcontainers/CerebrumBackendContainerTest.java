package dev.cerebrum.testcontainers;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The container's configuration, without Docker: nothing here starts a container. */
class CerebrumBackendContainerTest {

    @TempDir
    Path dir;

    @Test
    void registry_listsEachModelUnderItsMountPath_withItsOwnSettingsOnly() throws IOException {
        // given
        Path a = Files.writeString(dir.resolve("a.gguf"), "x");
        Path b = Files.writeString(dir.resolve("b.gguf"), "x");

        // when
        try (var c = new CerebrumBackendContainer("cerebrum-backend:test").withModel("qwen_7b", a)
                .withModel("code:13b", b, 4096, 2)) {
            // then names are quoted (':' is legal in a name and special in YAML) and defaults stay unset
            assertEquals("""
                    # written by CerebrumBackendContainer
                    models:
                      "qwen_7b":
                        path: "/models/qwen_7b.gguf"
                      "code:13b":
                        path: "/models/code:13b.gguf"
                        ctx_size: 4096
                        parallel: 2
                    """, c.registryYaml());
        }
    }

    @Test
    void withModel_refusesNamesTheBackendWouldReject_andMissingFiles() throws IOException {
        Path file = Files.writeString(dir.resolve("m.gguf"), "x");
        try (var c = new CerebrumBackendContainer("cerebrum-backend:test")) {
            assertThrows(IllegalArgumentException.class, () -> c.withModel("../etc", file));
            assertThrows(IllegalArgumentException.class, () -> c.withModel("with space", file));
            assertThrows(IllegalArgumentException.class, () -> c.withModel("-dash-first", file));
            assertThrows(IllegalArgumentException.class, () -> c.withModel("ok", dir.resolve("missing.gguf")));
            assertThrows(IllegalArgumentException.class, () -> c.withModel("ok", file, -1, 1));
        }
    }

    @Test
    void apiKey_isRandomPerContainer_unlessSet() {
        try (var a = new CerebrumBackendContainer("cerebrum-backend:test");
             var b = new CerebrumBackendContainer("cerebrum-backend:test")) {
            assertNotEquals(a.getApiKey(), b.getApiKey());
            assertTrue(a.getApiKey().matches("[0-9a-f]{48}"), a.getApiKey());
            assertEquals("my-key", a.withApiKey("my-key").getApiKey());
            assertThrows(IllegalArgumentException.class, () -> a.withApiKey("one,two"));
            assertThrows(IllegalArgumentException.class, () -> a.withApiKey(" padded"));
        }
    }

    @Test
    void theGuardKeepsItsDefaults_andExposedPortIsTheBackendsOwn() {
        try (var c = new CerebrumBackendContainer("cerebrum-backend:test")) {
            assertFalse(c.getEnvMap().containsKey("MAX_CPU_PERCENT"), c.getEnvMap().toString());
            assertEquals(java.util.List.of(CerebrumBackendContainer.PORT), c.getExposedPorts());
        }
    }

    @Test
    void memoryAndCpuLimits_areUnsetByDefault_andRefuseValuesDockerWouldReject() {
        try (var c = new CerebrumBackendContainer("cerebrum-backend:test")) {
            assertEquals(0, c.getMemoryLimitBytes());
            assertEquals(0.0, c.getCpus());

            assertEquals(512L << 20, c.withMemory(512L << 20).getMemoryLimitBytes());
            assertEquals(0.5, c.withCpus(0.5).getCpus());
            assertThrows(IllegalArgumentException.class, () -> c.withMemory(1024));
            assertThrows(IllegalArgumentException.class, () -> c.withCpus(0));
            assertThrows(IllegalArgumentException.class, () -> c.withCpus(Double.NaN));
        }
    }
}
