package dev.cerebrum.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {

    @Test
    void output_usesPythonsSeparators_andKeepsFieldOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("token", "d");
        m.put("total_tokens", 1);
        m.put("list", List.of("a", "b"));
        m.put("nested", Map.of("x", 0.5));
        m.put("none", null);
        assertEquals("{\"token\": \"d\", \"total_tokens\": 1, \"list\": [\"a\", \"b\"], \"nested\": {\"x\": 0.5},"
                + " \"none\": null}", Json.write(m));
    }

    @Test
    void stringsAreEscaped() {
        assertEquals("{\"t\": \"a\\\"b\\n\\u0001\"}", Json.write(Map.of("t", "a\"b\n\u0001")));
    }

    @Test
    void trailingContent_isRefused() {
        assertThrows(IOException.class, () -> Json.read("{\"a\": 1} x".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> Json.read("{\"a\": 1".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void round_keepsOutputValid() {
        assertEquals(0.0, Json.round(Double.NaN, 2));
        assertEquals(0.0, Json.round(Double.POSITIVE_INFINITY, 2));
        assertEquals(1.24, Json.round(1.235, 2));
    }
}
