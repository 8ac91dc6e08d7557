package dev.cerebrum.guard;

import dev.cerebrum.guard.AdmissionPolicy.Decision;
import dev.cerebrum.guard.AdmissionPolicy.ModelView;
import dev.cerebrum.guard.AdmissionPolicy.SlotDecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admission policy's decisions, from tables: no threads, no engine, no clock. */
class AdmissionPolicyTest {
    private static final long MB = 1024L * 1024L;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final HostLimits HOST = HostLimits.host(2);

    private static AdmissionPolicy policy(int maxModels, long floorMb) {
        return new AdmissionPolicy(GuardSettings.defaults().withMaxLoadedModels(maxModels).withMinFreeRamMb(floorMb)
                .withQueueSize(2).withMaxCpuPercent(70));
    }

    // ------------------------------------------------------------ slots and queue

    @ParameterizedTest(name = "{0} of {1} slots busy, {2} waiting -> {3}")
    @CsvSource({
            "0, 1, 0, START",
            "1, 1, 0, QUEUE",
            "1, 1, 1, QUEUE",
            "1, 1, 2, REFUSE_QUEUE_FULL",
            "1, 2, 0, START",
            "1, 2, 1, QUEUE",        // a free slot, but others were first: it waits behind them
            "2, 2, 1, QUEUE",
            "2, 2, 2, REFUSE_QUEUE_FULL",
            "0, 2, 2, REFUSE_QUEUE_FULL",
    })
    void slot(int inFlight, int slots, int waiting, SlotDecision expected) {
        assertEquals(expected, policy(2, 0).slot(inFlight, slots, waiting));
    }

    @Test
    void slot_withoutAQueue_refusesAsSoonAsEverySlotIsBusy() {
        AdmissionPolicy noQueue = new AdmissionPolicy(GuardSettings.defaults().withQueueSize(0));
        assertEquals(SlotDecision.START, noQueue.slot(0, 1, 0));
        assertEquals(SlotDecision.REFUSE_QUEUE_FULL, noQueue.slot(1, 1, 0));
    }

    // ------------------------------------------------------------ the CPU rule and the host

    @ParameterizedTest(name = "host {0}%, others {1}%, own {2}% -> refused {3}")
    @CsvSource({
            "10,   10,   0,  false",
            "70,   70,   0,  false",  // at the limit is not above it
            "70.1, 70.1, 0,  true",
            "100,  5,    95, false",  // the backend's own load never counts
            "100,  80,   20, true",
    })
    void cpuRule_judgesOtherProcessesOnly(double host, double other, double own, boolean refused) {
        HostSample s = new HostSample(host, other, own, 8L << 30, 16L << 30, HOST);
        Optional<Decision.Refuse> decision = policy(2, 0).newWork(s);
        assertEquals(refused, decision.isPresent());
        decision.ifPresent(d -> {
            assertEquals(Refusal.CPU, d.refusal());
            assertTrue(d.reason().startsWith("other processes use " + String.format(java.util.Locale.ROOT, "%.1f", other) + "%"),
                    d.reason());
        });
    }

    @ParameterizedTest(name = "others {0}%, {1} MB available, floor {2} MB -> {3}")
    @CsvSource({
            "10, 2048, 1024, ''",
            "80, 2048, 1024, 'other processes use 80.0%'",
            "10, 1000, 1024, 'available RAM is 1000 MB, under the floor of 1024 MB'",
            "80, 1000, 1024, 'other processes use 80.0%'",   // CPU is named first
            "10, 1024, 1024, ''",
    })
    void hostRefusal_namesTheRuleThatRefuses(double other, long availableMb, long floorMb, String expected) {
        HostSample s = new HostSample(other, other, 0, availableMb * MB, 16L << 30, HOST);
        Optional<String> reason = policy(2, floorMb).hostRefusal(s);
        if (expected.isEmpty()) {
            assertTrue(reason.isEmpty(), reason.toString());
        } else {
            assertTrue(reason.orElseThrow().startsWith(expected), reason.orElseThrow());
        }
    }

    // ------------------------------------------------------------ loads: the cap, RAM, eviction

    /**
     * One row: a load of {@code new} estimated at {@code estimateMb}, with {@code availableMb} available, the
     * other models given as {@code name:state:mb@idleSeconds} (state idle, busy, pinned, unloading or
     * unloaded), and the expected decision: {@code admit}, {@code evict a b}, {@code refuse memory} or
     * {@code refuse max_models}.
     */
    static Stream<Arguments> loads() {
        return Stream.of(
                row("room for it", 8, 10, 100, 500, "", "admit"),
                row("exactly the floor left", 8, 10, 100, 110, "", "admit"),
                row("unknown estimate counts as nothing", 8, 10, -1, 15, "", "admit"),
                row("short: the least recently used idle one goes", 8, 10, 100, 20,
                        "a:idle:100@3 b:idle:100@1 c:idle:100@2", "evict b"),
                row("short by more: as few as make it fit, oldest first", 8, 10, 250, 20,
                        "a:idle:100@3 b:idle:100@1 c:idle:100@2", "evict b c a"),
                row("never a busy or pinned one, however old", 8, 10, 100, 20,
                        "p:pinned:100@0 busy:busy:100@0 idle:idle:100@5", "evict idle"),
                row("nothing evictable", 8, 10, 100, 20, "p:pinned:100@0 busy:busy:100@0",
                        "refuse memory"),
                row("cannot fit even after evicting all: nothing is evicted", 8, 10, 1000, 20,
                        "a:idle:100@1 b:idle:100@2", "refuse memory"),
                row("the cap: the least recently used idle one goes", 2, 0, 100, 5000,
                        "a:idle:100@2 b:idle:100@1", "evict b"),
                row("the cap with every model busy", 2, 0, 100, 5000, "a:busy:100@2 b:busy:100@1",
                        "refuse max_models"),
                row("a model being unloaded counts against the cap", 2, 0, 100, 5000,
                        "a:unloading:100@0 b:idle:100@1", "evict b"),
                row("unloaded models do not count", 2, 0, 100, 5000, "a:unloaded:0@0 b:idle:100@1", "admit"),
                row("the cap's victim also frees RAM", 1, 10, 100, 50, "a:idle:100@1", "evict a"),
                row("equal idle times: by name", 8, 10, 100, 20, "b:idle:100@1 a:idle:100@1", "evict a"));
    }

    private static Arguments row(String what, int maxModels, long floorMb, long estimateMb, long availableMb,
                                 String others, String expected) {
        return Arguments.of(what, maxModels, floorMb, estimateMb, availableMb, others, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loads")
    void load(String what, int maxModels, long floorMb, long estimateMb, long availableMb, String others,
              String expected) {
        Decision d = policy(maxModels, floorMb).load("new", estimateMb < 0 ? -1 : estimateMb * MB,
                availableMb * MB, HOST, views(others));
        String[] want = expected.split(" ");
        switch (want[0]) {
            case "admit" -> assertInstanceOf(Decision.Admit.class, d, d.toString());
            case "evict" -> assertEquals(Arrays.asList(want).subList(1, want.length),
                    assertInstanceOf(Decision.Evict.class, d, d.toString()).victims());
            case "refuse" -> assertEquals(want[1],
                    assertInstanceOf(Decision.Refuse.class, d, d.toString()).refusal().wireName());
            default -> throw new AssertionError("bad row: " + expected);
        }
    }

    @Test
    void memoryRefusal_namesTheNumbers_andWhetherAnythingCouldBeUnloaded() {
        Decision.Refuse none = assertInstanceOf(Decision.Refuse.class, policy(8, 10)
                .load("new", 100 * MB, 20 * MB, HOST, views("p:pinned:100@0 busy:busy:100@0")));
        assertEquals("model 'new' needs about 100 MB but 20 MB of RAM are available and 10 MB must stay free;"
                + " no idle model can be unloaded to make room", none.reason());
        Decision.Refuse tooBig = assertInstanceOf(Decision.Refuse.class, policy(8, 10)
                .load("huge", 1000 * MB, 20 * MB, HOST, views("a:idle:100@1")));
        assertEquals("model 'huge' needs about 1000 MB but 20 MB of RAM are available and 10 MB must stay free",
                tooBig.reason());
    }

    @Test
    void capRefusal_namesTheCountAndTheLimit() {
        Decision.Refuse d = assertInstanceOf(Decision.Refuse.class, policy(2, 0)
                .load("new", 100 * MB, 5000 * MB, HOST, views("a:busy:100@2 b:busy:100@1")));
        assertEquals(Refusal.MAX_MODELS, d.refusal());
        assertEquals("2 models are loaded, the limit is 2, and none is idle to unload", d.reason());
    }

    private static List<ModelView> views(String spec) {
        if (spec.isBlank()) {
            return List.of();
        }
        return Arrays.stream(spec.trim().split("\\s+")).map(AdmissionPolicyTest::view).toList();
    }

    private static ModelView view(String spec) {
        String[] nameStateRest = spec.split(":");
        String[] mbAndIdle = nameStateRest[2].split("@");
        String state = nameStateRest[1];
        boolean loaded = !state.equals("unloaded");
        boolean idle = state.equals("idle") || state.equals("pinned");
        return new ModelView(nameStateRest[0], loaded, idle, state.equals("pinned"),
                T0.plusSeconds(Long.parseLong(mbAndIdle[1])), Long.parseLong(mbAndIdle[0]) * MB);
    }
}
