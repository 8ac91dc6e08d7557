package dev.cerebrum.server;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiKeysTest {

    @Test
    void everyConfiguredKey_matches_forRotation() {
        ApiKeys keys = ApiKeys.of(List.of("old-key-123", "new-key-456"));
        assertTrue(keys.matches("old-key-123"));
        assertTrue(keys.matches("new-key-456"));
    }

    @Test
    void otherKeysPrefixesAndNull_doNotMatch() {
        ApiKeys keys = ApiKeys.of(List.of("the-key"));
        assertFalse(keys.matches("the-ke"));
        assertFalse(keys.matches("the-key "));
        assertFalse(keys.matches("THE-KEY"));
        assertFalse(keys.matches(""));
        assertFalse(keys.matches(null));
    }

    @Test
    void noKeys_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.of(List.of()));
    }
}
