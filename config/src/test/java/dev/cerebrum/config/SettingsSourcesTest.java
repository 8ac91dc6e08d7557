package dev.cerebrum.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsSourcesTest {
    @TempDir
    Path dir;

    @Test
    void originOf_namesTheHighestLayerThatSetsAValue() throws IOException {
        // given a YAML file named by .env, a .env and an environment
        Files.writeString(dir.resolve("c.yaml"), "cerebrum:\n  vps-port: 9100\n  api-key: from-yaml\n");
        Files.writeString(dir.resolve(".env"), "CEREBRUM_CONFIG_FILE=c.yaml\nCEREBRUM_API_KEY=from-dotenv\n"
                + "CEREBRUM_LOG_DIR=\n");
        SettingsSources sources = SettingsSources.read(dir, Map.of("CEREBRUM_N_THREADS", "2"), Map.of());

        // then
        assertEquals(SettingsSources.Origin.ENV_FILE, sources.originOf("CEREBRUM_API_KEY"));
        assertEquals(SettingsSources.Origin.CONFIG_FILE, sources.originOf("CEREBRUM_VPS_PORT"));
        assertEquals(SettingsSources.Origin.ENVIRONMENT, sources.originOf("CEREBRUM_N_THREADS"));
        assertEquals(SettingsSources.Origin.DEFAULT, sources.originOf("CEREBRUM_LOG_DIR"), "blank counts as unset");
        assertEquals("from-dotenv", sources.merged().get("CEREBRUM_API_KEY"));
        assertEquals(dir.resolve(".env"), sources.envFile());
    }

    @Test
    void yamlScalars_areTakenAsWritten_andListsJoined() throws IOException {
        Files.writeString(dir.resolve("c.yaml"), """
                cerebrum:
                  queue-timeout-seconds: 2.50
                  metrics-token: 0x1F
                  log-dir:
                MAX_CPU_PERCENT: 50
                allowed-cm4-ip: [10.0.0.1, "10.0.0.0/8"]
                """);
        Map<String, String> vars = SettingsSources.yaml(dir.resolve("c.yaml"));

        assertEquals(Map.of("CEREBRUM_QUEUE_TIMEOUT_SECONDS", "2.50", "CEREBRUM_METRICS_TOKEN", "0x1F",
                "CEREBRUM_LOG_DIR", "", "MAX_CPU_PERCENT", "50", "ALLOWED_CM4_IP", "10.0.0.1,10.0.0.0/8"), vars);
    }

    @Test
    void aYamlFileThatIsNotAMapping_orNotYaml_isRefusedByName() throws IOException {
        Files.writeString(dir.resolve("list.yaml"), "- a\n- b\n");
        Files.writeString(dir.resolve("bad.yaml"), "a: [unclosed\n");
        for (String name : new String[]{"list.yaml", "bad.yaml"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SettingsSources.yaml(dir.resolve(name)));
            assertTrue(e.getMessage().contains(name), e.getMessage());
            assertFalse(e.getMessage().contains(dir.toString()), "no path: " + e.getMessage());
        }
    }

    @Test
    void theEnvFileCanBeNamedOrTurnedOff_onlyFromTheEnvironment() throws IOException {
        Files.writeString(dir.resolve(".env"), "CEREBRUM_API_KEY=a\nCEREBRUM_ENV_FILE=other.env\n");
        Files.writeString(dir.resolve("other.env"), "CEREBRUM_API_KEY=b\n");

        assertEquals("a", SettingsSources.merge(dir, Map.of(), Map.of()).get("CEREBRUM_API_KEY"));
        assertEquals("b", SettingsSources.merge(dir, Map.of("CEREBRUM_ENV_FILE", "other.env"), Map.of())
                .get("CEREBRUM_API_KEY"));
        SettingsSources none = SettingsSources.read(dir, Map.of("CEREBRUM_ENV_FILE", ""), Map.of());
        assertNull(none.envFile());
        assertNull(none.merged().get("CEREBRUM_API_KEY"));
    }
}
