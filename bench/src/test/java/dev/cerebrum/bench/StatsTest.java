package dev.cerebrum.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsTest {

    @Test
    void median_ofOddCount_isTheMiddleValue_inAnyOrder() {
        assertEquals(7.0, Stats.median(List.of(9.0, 1.0, 7.0, 8.0, 2.0)));
    }

    @Test
    void median_ofEvenCount_isTheMeanOfTheTwoMiddleValues() {
        assertEquals(4.5, Stats.median(List.of(10.0, 1.0, 4.0, 5.0)));
    }

    @Test
    void percentile99_ofOneHundredValues_isTheNinetyNinthSmallest() {
        // given 1..100 shuffled
        List<Double> values = new ArrayList<>();
        for (int i = 100; i >= 1; i--) {
            values.add((double) i);
        }
        // then nearest rank: ceil(0.99 * 100) = 99
        assertEquals(99.0, Stats.percentile(values, 99));
        assertEquals(50.0, Stats.percentile(values, 50));
        assertEquals(100.0, Stats.percentile(values, 100));
    }

    @Test
    void percentile99_ofFewValues_isTheMaximum() {
        assertEquals(30.0, Stats.percentile(List.of(10.0, 30.0, 20.0), 99));
    }

    @Test
    void summarize_givesCountMedianP99MinAndMax_ignoringNaN() {
        Summary s = Stats.summarize(List.of(3.0, Double.NaN, 1.0, 2.0, 10.0));
        assertEquals(new Summary(4, 2.5, 10.0, 1.0, 10.0), s);
    }

    @Test
    void summarize_ofNothing_isEmpty() {
        assertSame(Summary.EMPTY, Stats.summarize(List.of(Double.NaN)));
        assertTrue(Double.isNaN(Stats.median(List.of())));
    }

    @Test
    void ratio_isNaN_whenEitherSideIsUnknownOrTheDivisorIsZero() {
        assertEquals(0.5, Stats.ratio(1, 2));
        assertTrue(Double.isNaN(Stats.ratio(1, 0)));
        assertTrue(Double.isNaN(Stats.ratio(Double.NaN, 2)));
    }

    @Test
    void percentile_outsideItsRange_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(List.of(1.0), 0));
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(List.of(1.0), 101));
    }
}
