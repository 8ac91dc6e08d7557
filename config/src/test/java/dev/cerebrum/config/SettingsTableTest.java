package dev.cerebrum.config;

import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineProperties;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTableTest {

    @Test
    void everyName_isDefinedOnce() {
        Set<String> names = new HashSet<>();
        for (Setting s : SettingsTable.ALL) {
            assertTrue(names.add(s.name()), "defined twice: " + s.name());
        }
    }

    @Test
    void boundsOwnedByLowerModules_areTheirConstants() {
        assertEquals(ModelSpec.MAX_CONTEXT_SIZE, SettingsTable.CTX_SIZE.max());
        assertEquals(ModelSpec.MIN_SLOT_CONTEXT, SettingsTable.CTX_SIZE.min());
        assertEquals(ModelSpec.MAX_PARALLEL, SettingsTable.PARALLEL.max());
        assertEquals(Duration.parse(EngineProperties.DEFAULT_WORKER_PING_INTERVAL),
                SettingsTable.WORKER_PING_INTERVAL.defaultValue());
        assertEquals(Duration.parse(EngineProperties.DEFAULT_WORKER_PING_TIMEOUT),
                SettingsTable.WORKER_PING_TIMEOUT.defaultValue());
        assertEquals(Duration.parse(EngineProperties.DEFAULT_WORKER_STALL_TIMEOUT),
                SettingsTable.WORKER_STALL_TIMEOUT.defaultValue());
        assertEquals(Duration.parse(EngineProperties.DEFAULT_WORKER_STALL_PER_PROMPT_TOKEN),
                SettingsTable.WORKER_STALL_PER_PROMPT_TOKEN.defaultValue());
    }

    @Test
    void blankOrAbsent_meansTheDefault_andValuesAreStripped() {
        assertEquals(9000, SettingsTable.PORT.read(Map.of()));
        assertEquals(9000, SettingsTable.PORT.read(Map.of("CEREBRUM_VPS_PORT", "  ")));
        assertEquals(9100, SettingsTable.PORT.read(Map.of("CEREBRUM_VPS_PORT", " 9100 ")));
        assertEquals(Duration.ofMillis(250), SettingsTable.WORKER_STALL_PER_PROMPT_TOKEN.read(Map.of()));
        assertEquals(Duration.ofMillis(2500), SettingsTable.QUEUE_TIMEOUT.read(Map.of("CEREBRUM_QUEUE_TIMEOUT_SECONDS",
                "2.5")));
        assertNull(SettingsTable.METRICS_TOKEN.read(Map.of("CEREBRUM_METRICS_TOKEN", " ")));
        assertNull(SettingsTable.STOP_TIMEOUT.readIfSet(Map.of()));
    }

    @Test
    void valuesOutOfRange_areRefusedNamingTheSettingAndItsRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SettingsTable.CTX_SIZE.read(Map.of("CEREBRUM_CTX_SIZE", "262144")));
        assertEquals("CEREBRUM_CTX_SIZE must be an integer from 16 to 131072 (was '262144')", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SettingsTable.HEADER_TIMEOUT.read(Map.of("CEREBRUM_HEADER_TIMEOUT_SECONDS", "0.01")));
        assertEquals("CEREBRUM_HEADER_TIMEOUT_SECONDS must be a number of seconds from 0.1 to 3600 (was '0.01')",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SettingsTable.SHUTDOWN_GRACE.read(Map.of("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "0")));
        assertTrue(e.getMessage().startsWith("CEREBRUM_SHUTDOWN_GRACE_SECONDS must be a number of seconds greater"
                + " than 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SettingsTable.MAX_CPU_PERCENT.read(Map.of("MAX_CPU_PERCENT", "NaN")));
        assertThrows(IllegalArgumentException.class,
                () -> SettingsTable.QUEUE_TIMEOUT.read(Map.of("CEREBRUM_QUEUE_TIMEOUT_SECONDS", "Infinity")));
    }

    @Test
    void watchdogChecks_canBeTurnedOffWithZero_butAPingAlwaysHasATimeout() {
        assertEquals(Duration.ZERO, SettingsTable.WORKER_PING_INTERVAL.read(Map.of(
                "CEREBRUM_WORKER_PING_INTERVAL_SECONDS", "0")));
        assertEquals(Duration.ZERO, SettingsTable.WORKER_STALL_TIMEOUT.read(Map.of(
                "CEREBRUM_WORKER_STALL_TIMEOUT_SECONDS", "0")));
        assertThrows(IllegalArgumentException.class, () -> SettingsTable.WORKER_PING_TIMEOUT.read(Map.of(
                "CEREBRUM_WORKER_PING_TIMEOUT_SECONDS", "0")));
    }

    @Test
    void documentation_isOneLineWithoutTheTableSeparatorProblem() {
        for (Setting s : SettingsTable.ALL) {
            assertFalse(s.about().doc().endsWith("."), s.name() + ": table cells carry no final period");
            assertFalse(s.defaultText().isBlank(), s.name() + " documents its default");
        }
    }
}
