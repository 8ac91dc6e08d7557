package dev.cerebrum.engine.ffm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChunkPolicyTest {

    @Test
    void withNothingDecoding_aChunkIsTheLargestAllowed() {
        ChunkPolicy policy = new ChunkPolicy(512);
        policy.measured(64, 1, 1_000_000_000L);

        assertEquals(512, policy.chunk(0));
    }

    @Test
    void besideDecodingStreams_beforeAnyMeasurement_aChunkIsTheFirstGuess() {
        assertEquals(ChunkPolicy.FIRST_GUESS, new ChunkPolicy(512).chunk(2));
        assertEquals(32, new ChunkPolicy(32).chunk(2), "never more than the largest allowed");
    }

    @Test
    void besideDecodingStreams_aChunkTakesAboutTheStepTarget_atTheMeasuredSpeed() {
        // given 130 prompt tokens a second (a 1.1B model on two cores): 126 + 4 tokens in one second
        ChunkPolicy policy = new ChunkPolicy(512);
        policy.measured(126, 4, 1_000_000_000L);

        // then a step beside decoding streams takes a quarter of a second: about 32 tokens
        assertEquals(32, policy.chunk(4));
    }

    @Test
    void aChunkStaysWithinItsBounds() {
        ChunkPolicy slow = new ChunkPolicy(512);
        slow.measured(16, 0, 10_000_000_000L);
        assertEquals(ChunkPolicy.MIN_CHUNK, slow.chunk(1), "a prompt always advances");

        ChunkPolicy fast = new ChunkPolicy(512);
        fast.measured(512, 0, 10_000_000L);
        assertEquals(512, fast.chunk(1));
    }

    @Test
    void smallSteps_teachNothing() {
        ChunkPolicy policy = new ChunkPolicy(512);
        policy.measured(3, 4, 1_000_000L);
        assertEquals(ChunkPolicy.FIRST_GUESS, policy.chunk(1));
    }
}
