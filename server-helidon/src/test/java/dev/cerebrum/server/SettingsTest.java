package dev.cerebrum.server;

import dev.cerebrum.config.SettingsSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    @TempDir
    Path dir;

    @Test
    void onlyAKey_givesTheDocumentedDefaults() {
        Settings s = Settings.from(Map.of("CEREBRUM_API_KEY", "k1"), dir);

        assertEquals(List.of("k1"), s.apiKeys());
        assertNull(s.metricsToken());
        assertEquals("127.0.0.1", s.bindIp());
        assertEquals(9000, s.port());
        assertTrue(s.allowlist().allowsAll());
        assertEquals(10, s.authFailuresPerMinute());
        assertEquals(1 << 20, s.maxBodyBytes());
        assertEquals(100_000, s.maxPromptChars());
        assertEquals(4096, s.maxTokensLimit());
        assertEquals(new ConnectionLimits(256, 32, Duration.ofSeconds(10), Duration.ofSeconds(60)), s.connections());
        assertEquals(Duration.ofSeconds(30), s.shutdownGrace());
        assertEquals(dir.resolve("logs"), s.logDir());
        assertEquals(dir.resolve("run"), s.runDir());
        assertEquals("ffm", s.engine());
        assertNull(s.engineProperties().get("llama-natives"));
        assertEquals(1, s.guard().defaultThreads());
        assertEquals(70.0, s.guard().maxCpuPercent());
        assertEquals(dir.resolve("models/models.yaml"), s.guard().modelsFile());
        assertEquals(dir.resolve("models"), s.guard().modelsDir());
        assertEquals(1024, s.guard().minFreeRamMb());
        assertEquals(60, s.guard().idleUnloadMinutes());
        assertEquals(Duration.ofSeconds(5), s.guard().cpuWindow());
    }

    @Test
    void theOriginalsNames_andTheGuardsNames_areApplied() {
        Map<String, String> vars = new HashMap<>();
        vars.put("CEREBRUM_API_KEY", " k1 , k2 ,");
        vars.put("CEREBRUM_N_THREADS", "2");
        vars.put("VPS_BIND_IP", "::1");
        vars.put("CEREBRUM_VPS_PORT", "0");
        vars.put("MAX_CPU_PERCENT", "85.5");
        vars.put("ALLOWED_CM4_IP", "100.64.0.0/10");
        vars.put("CEREBRUM_MIN_FREE_RAM_MB", "512");
        vars.put("CEREBRUM_MAX_LOADED_MODELS", "3");
        vars.put("CEREBRUM_IDLE_UNLOAD_MINUTES", "0");
        vars.put("CEREBRUM_QUEUE_SIZE", "0");
        vars.put("CEREBRUM_QUEUE_TIMEOUT_SECONDS", "2.5");
        vars.put("CEREBRUM_LOAD_TIMEOUT_SECONDS", "30");
        vars.put("CEREBRUM_CTX_SIZE", "4096");
        vars.put("CEREBRUM_PARALLEL", "2");
        vars.put("CEREBRUM_MODELS_FILE", "/etc/cerebrum/models.yaml");
        vars.put("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "5");
        vars.put("CEREBRUM_METRICS_TOKEN", "scrape-me");
        vars.put("CEREBRUM_CPU_WINDOW_SECONDS", "10");

        Settings s = Settings.from(vars, dir);

        assertEquals(List.of("k1", "k2"), s.apiKeys());
        assertEquals("::1", s.bindIp());
        assertEquals(0, s.port());
        assertFalse(s.allowlist().allowsAll());
        assertEquals("scrape-me", s.metricsToken());
        assertEquals(2, s.guard().defaultThreads());
        assertEquals(85.5, s.guard().maxCpuPercent());
        assertEquals(512, s.guard().minFreeRamMb());
        assertEquals(3, s.guard().maxLoadedModels());
        assertEquals(0, s.guard().idleUnloadMinutes());
        assertEquals(0, s.guard().queueSize());
        assertEquals(Duration.ofMillis(2500), s.guard().queueTimeout());
        assertEquals(Duration.ofSeconds(30), s.guard().loadTimeout());
        assertEquals(4096, s.guard().defaultContextSize());
        assertEquals(2, s.guard().defaultParallel());
        assertEquals(Path.of("/etc/cerebrum/models.yaml"), s.guard().modelsFile());
        assertEquals(Duration.ofSeconds(5), s.shutdownGrace());
        assertEquals(Duration.ofSeconds(10), s.guard().cpuWindow());
    }

    @Test
    void workerSettings_becomeTheEnginesWatchdogProperties() {
        Settings defaults = Settings.from(Map.of("CEREBRUM_API_KEY", "k1"), dir);
        assertEquals(Map.of("worker-ping-interval", "PT1S", "worker-ping-timeout", "PT5S",
                "worker-stall-timeout", "PT5M", "worker-stall-per-prompt-token", "PT0.25S"), defaults.engineProperties());

        Settings set = Settings.from(Map.of("CEREBRUM_API_KEY", "k1", "CEREBRUM_WORKER_PING_INTERVAL_SECONDS", "0",
                "CEREBRUM_WORKER_STALL_TIMEOUT_SECONDS", "90", "CEREBRUM_WORKER_STALL_PER_PROMPT_TOKEN_SECONDS",
                "0.5"), dir);
        assertEquals("PT0S", set.engineProperties().get("worker-ping-interval"));
        assertEquals("PT1M30S", set.engineProperties().get("worker-stall-timeout"));
        assertEquals("PT0.5S", set.engineProperties().get("worker-stall-per-prompt-token"));
    }

    @Test
    void nativesFolder_becomesTheFfmEnginesProperty_resolvedInTheWorkingDirectory() {
        Settings set = Settings.from(Map.of("CEREBRUM_API_KEY", "k1", "CEREBRUM_LLAMA_NATIVES_DIR", "natives/x64"), dir);
        assertEquals(dir.resolve("natives/x64").toString(), set.engineProperties().get("llama-natives"));
    }

    @Test
    void noKey_refusesToStart_sayingWhy() {
        for (Map<String, String> vars : List.of(Map.<String, String>of(), Map.of("CEREBRUM_API_KEY", "  "),
                Map.of("CEREBRUM_API_KEY", ",,"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.from(vars, dir));
            assertTrue(e.getMessage().contains("CEREBRUM_API_KEY"), e.getMessage());
            assertTrue(e.getMessage().contains("refuses to start"), e.getMessage());
        }
    }

    @Test
    void toString_neverShowsASecret() {
        Settings s = Settings.from(Map.of("CEREBRUM_API_KEY", "k-secret-1,k-secret-2", "CEREBRUM_METRICS_TOKEN",
                "t-secret"), dir);
        assertFalse(s.toString().contains("secret"), s.toString());
        assertTrue(s.toString().contains("2 key(s)"), s.toString());
    }

    @Test
    void theExamplePlaceholderKey_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Settings.from(Map.of("CEREBRUM_API_KEY", "your-api-key-here"), dir));
        assertTrue(e.getMessage().contains("placeholder"), e.getMessage());
    }

    @Test
    void badValues_areRefusedNamingTheVariable_neverEchoingAKey() {
        Map<String, String> base = Map.of("CEREBRUM_API_KEY", "s3cret-key");
        for (String[] bad : new String[][]{{"CEREBRUM_VPS_PORT", "70000"}, {"CEREBRUM_VPS_PORT", "http"},
                {"MAX_CPU_PERCENT", "0"}, {"CEREBRUM_N_THREADS", "0"}, {"CEREBRUM_MAX_TOKENS_LIMIT", "-1"},
                {"CEREBRUM_SHUTDOWN_GRACE_SECONDS", "0"}, {"ALLOWED_CM4_IP", "100.x.y.z"}, {"ALLOWED_CM4_IP", "   "},
                {"CEREBRUM_CPU_WINDOW_SECONDS", "0"}, {"CEREBRUM_CPU_WINDOW_SECONDS", "3601"},
                {"CEREBRUM_MAX_CONNECTIONS", "0"}, {"CEREBRUM_MAX_CONNECTIONS_PER_PEER", "300"},
                {"CEREBRUM_HEADER_TIMEOUT_SECONDS", "0.01"}, {"CEREBRUM_IDLE_TIMEOUT_SECONDS", "7200"}}) {
            Map<String, String> vars = new HashMap<>(base);
            vars.put(bad[0], bad[1]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.from(vars, dir),
                    bad[0]);
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        }
    }

    @Test
    void layers_yamlThenDotEnvThenEnvironmentThenOverrides() throws IOException {
        // given a YAML file, a .env that names it, an environment and overrides, each setting some values
        Files.writeString(dir.resolve("cerebrum.yaml"), """
                cerebrum:
                  vps-port: 9100
                  n-threads: 3
                  max-tokens-limit: 1000
                MAX_CPU_PERCENT: 50
                allowed-cm4-ip:
                  - 10.0.0.1
                  - 10.0.0.0/8
                """);
        Files.writeString(dir.resolve(".env"), """
                CEREBRUM_CONFIG_FILE=cerebrum.yaml
                CEREBRUM_API_KEY=from-dotenv
                CEREBRUM_N_THREADS=4
                CEREBRUM_MAX_PROMPT_CHARS=777
                """);
        Map<String, String> environment = Map.of("CEREBRUM_N_THREADS", "5", "CEREBRUM_MAX_PROMPT_CHARS", "888");
        Map<String, String> overrides = Map.of("CEREBRUM_MAX_PROMPT_CHARS", "999");

        // when
        Map<String, String> merged = SettingsSources.merge(dir, environment, overrides);
        Settings s = Settings.from(merged, dir);

        // then each value comes from the highest layer that sets it
        assertEquals(9100, s.port());
        assertEquals(1000, s.maxTokensLimit());
        assertEquals(50.0, s.guard().maxCpuPercent());
        assertEquals("10.0.0.1,10.0.0.0/8", merged.get("ALLOWED_CM4_IP"));
        assertEquals(List.of("from-dotenv"), s.apiKeys());
        assertEquals(5, s.guard().defaultThreads());
        assertEquals(999, s.maxPromptChars());
    }

    @Test
    void aMissingConfigFile_isAnError_butAMissingDotEnvIsNot() {
        assertEquals(Map.of(), SettingsSources.merge(dir, Map.of(), Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SettingsSources.merge(dir, Map.of(), Map.of("CEREBRUM_CONFIG_FILE", "nope.yaml")));
        assertTrue(e.getMessage().contains("CEREBRUM_CONFIG_FILE"), e.getMessage());
    }

    @Test
    void anEmptyEnvFileSetting_disablesDotEnv() throws IOException {
        Files.writeString(dir.resolve(".env"), "CEREBRUM_API_KEY=from-dotenv\n");
        assertEquals("from-dotenv", SettingsSources.merge(dir, Map.of(), Map.of()).get("CEREBRUM_API_KEY"));
        assertNull(SettingsSources.merge(dir, Map.of(), Map.of("CEREBRUM_ENV_FILE", "")).get("CEREBRUM_API_KEY"));
    }
}
