package dev.cerebrum.reliability;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
    private static final PartResult HELD = PartResult.of("load", "6 clients for 8 s", "1,000 requests", List.of(),
            Duration.ofSeconds(9));
    private static final PartResult FAILED = PartResult.of("hostile inputs", "60 kinds", "60 kinds",
            List.of("TLS ClientHello: got no answer, expected [400]"), Duration.ofSeconds(20));

    @Test
    void markdown_isATableWithARowPerPart_andAVerdict() {
        String md = Report.markdown(List.of(HELD, FAILED), Profile.QUICK, "./cerebrum reliability --quick");

        assertTrue(md.startsWith("| part | tried | held | figures |\n|---|---|---|---|\n"), md);
        assertTrue(md.contains("| load | 6 clients for 8 s | yes | 1,000 requests |"), md);
        assertTrue(md.contains("| hostile inputs | 60 kinds | **no** | 60 kinds TLS ClientHello: got no answer"), md);
        assertTrue(md.contains("Did not hold: hostile inputs."), md);
        assertTrue(md.contains("with `./cerebrum reliability --quick` (quick profile, 29 s)"), md);
    }

    @Test
    void verdict_whenEveryPartHeld_joinsTheirHeadlines() {
        PartResult faults = PartResult.of("faults", "4 faults", "...", List.of(), Duration.ofSeconds(20))
                .withHeadline("4 of 4 faults survived, nothing lost");

        assertEquals("Every part held: load held; 4 of 4 faults survived, nothing lost.",
                Report.verdict(List.of(HELD.withHeadline("load held"), faults)));
        assertEquals("Every part held.", Report.verdict(List.of(HELD)));
    }

    @Test
    void aResultHolds_exactlyWhenItHasNoProblem() {
        assertTrue(HELD.held());
        assertThrows(IllegalArgumentException.class, () -> new PartResult("x", "y", true, "z", "", List.of("p"),
                Duration.ZERO));
    }
}
