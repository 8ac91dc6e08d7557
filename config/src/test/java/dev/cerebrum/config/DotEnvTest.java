package dev.cerebrum.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DotEnvTest {

    @Test
    void theOriginalsExampleFile_parsesToItsValues() {
        // given the example .env of the original README, with one key filled in
        List<String> lines = List.of(
                "# VPS Configuration",
                "# Authentication",
                "CEREBRUM_API_KEY=abc123",
                "",
                "# Advanced users may increase this value",
                "CEREBRUM_N_THREADS=1",
                "VPS_BIND_IP=127.0.0.1",
                "CEREBRUM_VPS_PORT=9000",
                "MAX_CPU_PERCENT=70",
                "# ALLOWED_CM4_IP=100.x.y.z");

        // when
        Map<String, String> vars = DotEnv.parse(lines);

        // then
        assertEquals(Map.of("CEREBRUM_API_KEY", "abc123", "CEREBRUM_N_THREADS", "1", "VPS_BIND_IP", "127.0.0.1",
                "CEREBRUM_VPS_PORT", "9000", "MAX_CPU_PERCENT", "70"), vars);
        assertFalse(vars.containsKey("ALLOWED_CM4_IP"));
    }

    @Test
    void quotesExportAndTrailingComments_areHandledLikeAShell() {
        Map<String, String> vars = DotEnv.parse(List.of(
                "export A=one",
                "B=\"two # not a comment\"",
                "C='three'   # a comment",
                "D=four # a comment",
                "E=five#six",
                "F=",
                "  G = spaced  "));

        assertEquals("one", vars.get("A"));
        assertEquals("two # not a comment", vars.get("B"));
        assertEquals("three", vars.get("C"));
        assertEquals("four", vars.get("D"));
        assertEquals("five#six", vars.get("E"));
        assertEquals("", vars.get("F"));
        assertEquals("spaced", vars.get("G"));
    }

    @Test
    void aLaterLine_winsOverAnEarlierOne() {
        assertEquals("2", DotEnv.parse(List.of("X=1", "X=2")).get("X"));
    }

    @Test
    void aMalformedLine_isRefusedByLineNumberWithoutEchoingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DotEnv.parse(List.of("OK=1", "secret-key-without-equals")));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @Test
    void anUnterminatedQuote_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> DotEnv.parse(List.of("A=\"open")));
    }
}
