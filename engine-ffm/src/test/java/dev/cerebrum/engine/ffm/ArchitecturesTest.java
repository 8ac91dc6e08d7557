package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.InvalidModelException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchitecturesTest {

    @Test
    void thePinnedLlamaCpp_loadsThe2026CodeModels() {
        for (String a : List.of("llama", "qwen3", "qwen3moe", "qwen3next", "qwen35", "qwen35moe", "gpt-oss", "glm4moe",
                "gemma3n", "gemma4", "llama4", "mistral3", "granitehybrid", "seed_oss", "deepseek32")) {
            assertTrue(Architectures.supports(a), a);
        }
    }

    @Test
    void namesOutsideTheList_andTheQuantizeDummy_areNotSupported() {
        for (String a : List.of("clip", "(unknown)", "qwen9", "", "Qwen3", "llama ")) {
            assertFalse(Architectures.supports(a), a);
        }
    }

    @Test
    void theListIsThatOfTheSource_151Architectures() {
        assertEquals(151, Architectures.supported().size());
        assertEquals("3.22.1", Architectures.nativesVersion());
    }

    @Test
    void requireSupported_namesTheArchitectureAndTheNatives() {
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> Architectures.requireSupported("qwen9"));
        assertTrue(e.getMessage().contains("'qwen9'"), e.getMessage());
        assertTrue(e.getMessage().contains("3.22.1"), e.getMessage());
        Architectures.requireSupported("qwen3moe");
    }
}
