package dev.cerebrum.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FinishedTest {
    private static final Timings T = new Timings(1, 2, 3, 4, 5, 6, 7);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"STOP, NONE", "LENGTH, NONE", "CANCELLED, CANCELLED", "ERROR, ENGINE_FAILURE"})
    void theFiveArgumentEnd_derivesItsKindFromTheReason(FinishReason reason, FailureKind expected) {
        assertEquals(expected, new GenerationEvent.Finished(reason, 1, 2, T, null).failure());
    }

    @ParameterizedTest(name = "{0} with {1} is refused")
    @CsvSource({"STOP, CANCELLED", "STOP, CONTEXT_FULL", "ERROR, NONE", "CANCELLED, NONE", "LENGTH, QUEUE_TIMEOUT",
            "CANCELLED, WORKER_LOST", "ERROR, CANCELLED"})
    void aKindThatDoesNotFitTheReason_isRefused(FinishReason reason, FailureKind kind) {
        assertThrows(IllegalArgumentException.class, () -> new GenerationEvent.Finished(reason, 0, 0, T, null, kind));
    }

    @Test
    void withTimings_keepsEverythingElse() {
        GenerationEvent.Finished f = new GenerationEvent.Finished(FinishReason.CANCELLED, 3, 4, Timings.NONE, null,
                FailureKind.UNLOADED);
        assertEquals(new GenerationEvent.Finished(FinishReason.CANCELLED, 3, 4, T, null, FailureKind.UNLOADED),
                f.withTimings(T));
    }
}
