package dev.cerebrum.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {

    @Test
    void defaults_compareOneAndTwoThreads_with512PromptTokensAnd64Tokens() {
        Options o = Options.parse(List.of());
        assertEquals(List.of(1, 2), o.threads());
        assertEquals(512, o.promptTokens());
        assertEquals(64, o.tokens());
        assertEquals(3, o.repetitions());
        assertEquals(List.of(1, 2, 4, 8), o.concurrency());
        assertEquals(4, o.slots());
        assertEquals(2, o.concurrencyThreads());
        assertEquals(3, o.coldStarts());
        assertEquals(Path.of("bench-results", "models", Options.MODEL_FILE_NAME), o.model());
        assertEquals(false, o.modelGiven());
    }

    @Test
    void quick_shrinksTheRun_butLaterOptionsStillApply() {
        Options o = Options.parse(List.of("--quick", "--tokens", "20"));
        assertTrue(o.quick());
        assertEquals(20, o.tokens());
        assertEquals(1, o.repetitions());
        assertEquals(128, o.promptTokens());
        assertEquals(1, o.coldStarts());
    }

    @Test
    void aGivenModel_isMarkedToBeUsedAsItIs() {
        Options o = Options.parse(List.of("--model", "/m/x.gguf", "--out", "/tmp/o"));
        assertEquals(Path.of("/m/x.gguf"), o.model());
        assertTrue(o.modelGiven());
        assertEquals(Path.of("/tmp/o"), o.outDir());
    }

    @Test
    void contexts_holdThePromptTheTokensAndAMargin_perSlot() {
        Options o = Options.parse(List.of());
        // 512 + 64 + 64 rounded up to 256
        assertEquals(768, o.comparisonContext());
        // 4 slots of 32 + 64 + 64 rounded up to 128
        assertEquals(1024, o.concurrencyContext());
    }

    @Test
    void badOptions_areRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Options.parse(List.of("--tokens", "many")));
        assertTrue(e.getMessage().contains("--tokens"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(List.of("--threads", "0")));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(List.of("--frobnicate")));
        assertThrows(IllegalArgumentException.class, () -> Options.parse(List.of("--reps")));
    }
}
