package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.ModelSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CoreConfigTest {

    @Test
    void fromASpec_theBatchIsAlsoThePrefillChunk_andEachSlotGetsItsShare() {
        ModelSpec spec = new ModelSpec("m", Path.of("m.gguf"), 4096, 2, 1, 4, 256, 7);

        CoreConfig config = CoreConfig.of(spec);

        assertEquals(1024, config.slotContext());
        assertEquals(256, config.batchSize());
        assertEquals(256, config.microBatchSize());
        assertEquals(256, config.prefillChunk());
        assertEquals(2, config.threads());
        assertEquals(1, config.batchThreads());
        assertEquals(7, config.seed());
        assertEquals(16, config.withPrefillChunk(16).prefillChunk());
    }

    @Test
    void aBatchTooSmallForOneTokenPerSlotAndAChunk_isRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new CoreConfig(Path.of("m"), 1024, 4, 1, 1, 4, 4, 4, false, true, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new CoreConfig(Path.of("m"), 1024, 4, 1, 1, 64, 128, 4, false, true, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new CoreConfig(Path.of("m"), 1024, 4, 1, 1, 64, 64, 0, false, true, 0));
    }
}
