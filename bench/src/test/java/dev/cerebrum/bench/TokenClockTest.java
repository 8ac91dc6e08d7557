package dev.cerebrum.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenClockTest {
    private static final long MS = 1_000_000;

    @Test
    void sample_timesFirstTokenPromptAndDecodeFromTheConsumersClock() {
        // given a generation that started at 0, got its first token at 200 ms and its 11th at 1200 ms
        TokenClock clock = new TokenClock(0);
        clock.tokens(1, 200 * MS);
        clock.tokens(5, 700 * MS);
        clock.tokens(11, 1200 * MS);

        // when
        RunSample s = clock.sample(100, 11, "length", 3.0, 1250 * MS);

        // then 100 prompt tokens in 200 ms, and 10 tokens after the first in 1000 ms
        assertEquals(200.0, s.ttftMs(), 1e-9);
        assertEquals(500.0, s.promptTokensPerSecond(), 1e-9);
        assertEquals(10.0, s.decodeTokensPerSecond(), 1e-9);
        assertEquals(1250.0, s.totalMs(), 1e-9);
        assertEquals(3.0, s.queueMs());
        assertEquals("length", s.finishReason());
    }

    @Test
    void sample_withoutTokens_hasNoRates() {
        RunSample s = new TokenClock(0).sample(10, 0, "stop", Double.NaN, 5 * MS);
        assertTrue(Double.isNaN(s.ttftMs()));
        assertTrue(Double.isNaN(s.decodeTokensPerSecond()));
        assertTrue(Double.isNaN(s.promptTokensPerSecond()));
    }

    @Test
    void sample_countsTokensHeldBackWithTheFirstEventThatCarriesThem() {
        // given the first event already carries 2 tokens (one was an incomplete UTF-8 byte)
        TokenClock clock = new TokenClock(0);
        clock.tokens(2, 100 * MS);
        clock.tokens(4, 300 * MS);
        // then only the 2 tokens after the first event count, over 200 ms
        assertEquals(10.0, clock.sample(1, 4, "length", 0, 300 * MS).decodeTokensPerSecond(), 1e-9);
    }
}
