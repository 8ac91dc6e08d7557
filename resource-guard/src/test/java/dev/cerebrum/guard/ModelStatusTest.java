package dev.cerebrum.guard;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ModelStatusTest {
    @Test
    void toBuilder_copiesEveryField_andChangesOnlyWhatIsSet() {
        Instant used = Instant.parse("2026-01-01T00:00:00Z");
        ModelStatus s = ModelStatus.builder("m", ModelState.READY).available(true).reason(null).config(512, 2, 3)
                .slotsBusy(1).inFlight(2).queued(3).phases(1, 0).usage(4, 5, 6, used).cachedTokens(11)
                .load(used.plusSeconds(1), Duration.ofMillis(7), 8, 9).residency(true, 10).build();
        assertEquals(new ModelStatus("m", ModelState.READY, true, null, 512, 2, 3, 1, 2, 3, 1, 0, 4, 5, 6, 11, used,
                used.plusSeconds(1), Duration.ofMillis(7), 8, 9, true, 10), s);

        assertEquals(s, s.toBuilder().build());
        ModelStatus busier = s.toBuilder().slotsBusy(2).build();
        assertEquals(2, busier.slotsBusy());
        assertEquals(s, busier.toBuilder().slotsBusy(1).build());
    }

    @Test
    void builder_startsWithUnknownMemoryFigures() {
        ModelStatus s = ModelStatus.builder("m", ModelState.UNLOADED).build();
        assertEquals(-1, s.estimateBytes());
        assertEquals(-1, s.rssBytes());
    }
}
