package dev.cerebrum.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LauncherSettingsTest {
    @TempDir
    Path dir;

    private Map<String, String> resolve(String dotEnv, Map<String, String> environment) throws IOException {
        Files.writeString(dir.resolve(".env"), dotEnv);
        return LauncherSettings.resolve(SettingsSources.read(dir, environment, Map.of()), dir);
    }

    @Test
    void valuesAreResolvedAsTheServerResolvesThem_withoutTheKey() throws IOException {
        Map<String, String> v = resolve("""
                CEREBRUM_API_KEY="s3cret"   # mine
                VPS_BIND_IP=0.0.0.0
                CEREBRUM_LOG_DIR=var/log
                CEREBRUM_SHUTDOWN_GRACE_SECONDS=2.5
                """, Map.of("CEREBRUM_VPS_PORT", "9100"));

        assertEquals("9100", v.get("port"));
        assertEquals("http://127.0.0.1:9100", v.get("base_url"));
        assertEquals(dir.resolve("var/log").toString(), v.get("log_dir"));
        assertEquals(dir.resolve("run").toString(), v.get("run_dir"));
        assertEquals("env-file", v.get("api_key"));
        assertEquals("3", v.get("shutdown_grace"), "whole seconds, rounded up");
        assertEquals("18", v.get("stop_timeout"), "the grace plus 15 unless set");
        assertEquals("120", v.get("start_timeout"));
        assertFalse(v.toString().contains("s3cret"), v.toString());
    }

    @Test
    void anInvalidValue_isRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resolve("CEREBRUM_VPS_PORT=http\n", Map.of()));
        assertTrue(e.getMessage().startsWith("CEREBRUM_VPS_PORT must be an integer"), e.getMessage());
    }

    @Test
    void connectHost_reachesAWildcardOnLoopback_andBracketsIpv6() {
        assertEquals("127.0.0.1", LauncherSettings.connectHost("0.0.0.0"));
        assertEquals("[::1]", LauncherSettings.connectHost("::"));
        assertEquals("[fd00::1]", LauncherSettings.connectHost("fd00::1"));
        assertEquals("100.64.0.2", LauncherSettings.connectHost("100.64.0.2"));
    }

    @Test
    void printedAssignments_evaluateInBashToTheExactValues_whateverTheyHold() throws Exception {
        // given values a shell would otherwise expand, split or end early
        String hostile = "-Xmx1g 'quoted' \"double\" $(touch " + dir.resolve("pwned") + ") `id` ; x\\y";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LauncherSettings.print(Map.of("java_opts", hostile), new PrintStream(out, true, StandardCharsets.UTF_8));

        // when bash evaluates them
        Process bash = new ProcessBuilder("bash", "-c", "eval \"$1\"; printf '%s' \"$cfg_java_opts\"", "bash",
                out.toString(StandardCharsets.UTF_8)).start();
        String value = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bash.waitFor(10, TimeUnit.SECONDS));

        // then the variable holds the text, and nothing ran
        assertEquals(hostile, value);
        assertFalse(Files.exists(dir.resolve("pwned")));
    }

    @Test
    void keyHeader_holdsTheFirstKey_readableByTheOwnerOnly_andIsNotWrittenWithoutAKey() throws IOException {
        Path header = dir.resolve("auth");
        LauncherSettings.writeKeyHeader(Map.of("CEREBRUM_API_KEY", " k1 , k2"), header);
        assertEquals(List.of("X-API-Key: k1"), Files.readAllLines(header));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(header));

        Path none = dir.resolve("none");
        LauncherSettings.writeKeyHeader(Map.of(), none);
        assertFalse(Files.exists(none));
    }
}
