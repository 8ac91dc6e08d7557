package dev.cerebrum.server;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DescriptorBudgetTest {

    @Test
    void connectionRoom_isTheLimitLessWhatIsOpenAndTheReserve() {
        DescriptorBudget budget = new DescriptorBudget(() -> 256, () -> 70);
        assertEquals(256 - 70 - DescriptorBudget.RESERVE - DescriptorBudget.REFUSAL_MARGIN, budget.connectionRoom());
        assertEquals(0, new DescriptorBudget(() -> 100, () -> 70).connectionRoom());
    }

    @Test
    void low_countsConnectionsOpenedSinceTheLastReading() {
        AtomicLong open = new AtomicLong(100);
        DescriptorBudget budget = new DescriptorBudget(() -> 200, open::get);
        budget.refresh(10);

        // 100 open at the reading, with 10 connections; 200 - 100 - (n - 10) must stay at 32 or more
        assertFalse(budget.low(78));
        assertTrue(budget.low(79));

        // a reading that sees the descriptors freed again
        open.set(60);
        budget.refresh(79);
        assertFalse(budget.low(80));
    }

    @Test
    void anUnreadableLimit_neverRefuses() {
        DescriptorBudget budget = new DescriptorBudget(() -> -1, () -> -1);
        assertFalse(budget.known());
        assertFalse(budget.low(1_000_000));
        assertEquals(Integer.MAX_VALUE, budget.connectionRoom());
    }

    @Test
    void thisProcess_hasAReadableLimit_onLinux() {
        DescriptorBudget budget = DescriptorBudget.ofThisProcess();
        assertTrue(budget.known());
        assertTrue(budget.limit() > budget.open() && budget.open() > 0, budget.limit() + " / " + budget.open());
    }
}
