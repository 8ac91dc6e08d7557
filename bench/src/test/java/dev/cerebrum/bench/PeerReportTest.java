package dev.cerebrum.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerReportTest {

    private static final Machine MACHINE = new Machine("AMD EPYC", 2, "avx2", 24L << 30, "Linux 6.1", "OpenJDK 25",
            "0.10 0.20 0.30");

    /** A 512-token run with this TTFT and decode rate. */
    private static RunSample run(double ttftMs, double decodeTps) {
        return new RunSample(ttftMs, 512 * 1000.0 / ttftMs, decodeTps, 512, 64, "length", ttftMs + 500, Double.NaN);
    }

    private static ConcurrencyLevel level(int streams, double aggregate, double... ttfts) {
        List<RunSample> samples = java.util.Arrays.stream(ttfts).mapToObj(t -> run(t, 10)).toList();
        return new ConcurrencyLevel(streams, List.of(aggregate), samples, 0, null);
    }

    private static PeerFigures ours() {
        return new PeerFigures("ffm engine (Cerebrum)", List.of(run(400, 150), run(420, 152), run(410, 148)),
                List.of(new PeerFigures.Probe(run(20, 0), 2, 14), new PeerFigures.Probe(run(22, 0), 2, 15)),
                List.of(level(1, 100, 50), level(2, 170, 60, 70), level(4, 200, 80, 90, 100, 300)),
                List.of(new PeerFigures.Interference(150, 1400, true), new PeerFigures.Interference(170, 1450, true)),
                List.of(new PeerFigures.Repeat(1000, 60, 1001, 990), new PeerFigures.Repeat(1100, 88, 1001, 990)), null);
    }

    private static PeerFigures peer() {
        return new PeerFigures("llama-server", List.of(run(405, 160), run(415, 160), run(425, 160)),
                List.of(new PeerFigures.Probe(run(21, 0), 4, 18), new PeerFigures.Probe(run(21, 0), 4, 19)),
                List.of(level(1, 110, 45), level(2, 180, 55, 65), level(4, 180, 70, 80, 90, 100)),
                List.of(new PeerFigures.Interference(1200, 1300, false), new PeerFigures.Interference(1250, 1350, false)),
                List.of(new PeerFigures.Repeat(1000, 150, 1001, 984), new PeerFigures.Repeat(1000, 150, 1001, 984)), null);
    }

    /** The raw loop: decode at 155 tokens/s, between ours (150) and llama-server's (160). */
    private static PeerFigures raw() {
        return new PeerFigures(PeerBench.RAW_LANE, List.of(run(390, 155), run(395, 155), run(400, 155)),
                List.of(PeerFigures.Probe.unreported(run(12, 0)), PeerFigures.Probe.unreported(run(13, 0))), List.of(), List.of(), List.of(), null);
    }

    /** The raw loop on the prebuilt natives: 140 tokens/s. */
    private static PeerFigures rawPrebuilt() {
        return new PeerFigures(PeerBench.RAW_PREBUILT_LANE, List.of(run(390, 140), run(395, 140)),
                List.of(PeerFigures.Probe.unreported(run(12, 0))), List.of(), List.of(), List.of(), null);
    }

    private static PeerReport report(PeerFigures peer) {
        PeerOptions o = PeerOptions.parse(List.of("--peer", "--threads", "2"));
        PeerNatives natives = peer == null
                ? new PeerNatives(PeerNatives.Kind.PREBUILT, Path.of("/cache/llama.cpp"), "there is no llama-server build to share")
                : new PeerNatives(PeerNatives.Kind.SAME_BUILD, Path.of("/cache/llama-server/3.22.1"), null);
        return new PeerReport("2026-12-03T15:00:00Z", MACHINE, o,
                new ModelFile(Path.of("/x/models/m.gguf"), 113_700_000L, false, 0, "a small llama shape"), ours(), peer,
                raw(), peer == null ? null : rawPrebuilt(), natives, peer == null ? "no toolchain to build llama-server: missing cmake." : null,
                peer == null ? null : "version: 0.5.0-dev (build 1, commit de3ff81)",
                peer == null ? null : "llama.cpp de3ff81 built in 350 s",
                peer == null ? null : "llama-server -m m.gguf -t 2 -tb 2 -np 4 -c 9216", 0.05, 0.01, 300, "0.5 0.4 0.3",
                List.of());
    }

    @Test
    void targets_compareOursWithThePeer_andTheAbsoluteGoals() {
        List<Targets.Target> targets = PeerTargets.evaluate(report(peer()));
        Map<String, Targets.Target> byName = targets.stream().collect(Collectors.toMap(Targets.Target::name,
                Function.identity()));
        // 200 vs 180 tok/s at 4 streams: ahead; 200 / 100 = 2.0x a single stream
        assertEquals(Boolean.TRUE, byName.get("aggregate tokens/s, 4 streams on 4 slots").met());
        assertEquals("2.00× (llama-server 1.64×)", byName.get("aggregate tokens/s, 4 streams over 1 stream").measured());
        // the short request: 160 ms against 1225 ms, and under 1 s
        Targets.Target during = targets.get(2);
        assertEquals("160 vs 1225 (0.13×)", during.measured());
        assertEquals(Boolean.TRUE, during.met());
        assertEquals(Boolean.TRUE, targets.get(3).met());
        // repeated prompt: 60/1000 and 88/1100 -> median 7.0 %
        Targets.Target repeat = targets.get(4);
        assertTrue(repeat.measured().startsWith("7.0% (74 of 1050 ms; llama-server 15.0%)"), repeat.measured());
        assertEquals(Boolean.TRUE, repeat.met());
        // decode 150 vs 160 = 0.9375: MISS; prompt 512/0.41 vs 512/0.415: PASS
        assertEquals(Boolean.FALSE, targets.get(5).met());
        // paired: 150/160, 152/160, 148/160 -> median 0.9375
        assertEquals("0.938 (150.0 vs 160.0; paired 0.938)", targets.get(5).measured());
        assertEquals(Boolean.TRUE, targets.get(6).met());
        // the probe: 21 vs 21 ms to the first token, but outside the server's own prompt time 6.5 vs 2.5 ms
        assertEquals("6.5 vs 2.5 (2.60×)", targets.get(7).measured());
        assertEquals(Boolean.FALSE, targets.get(7).met());
        assertEquals(8, targets.size());
    }

    @Test
    void withoutThePeer_theComparisonsAreNotApplicable_butOurOwnGoalsAreJudged() {
        PeerReport r = report(null);
        List<Targets.Target> targets = PeerTargets.evaluate(r);
        assertNull(targets.get(0).met());
        assertEquals(Boolean.TRUE, targets.get(1).met());
        assertNull(targets.get(2).met());
        assertEquals(Boolean.TRUE, targets.get(3).met());
        assertEquals(Boolean.TRUE, targets.get(4).met());
        assertNull(targets.get(5).met());
        String md = PeerRenderer.markdown(r);
        assertTrue(md.contains("- llama-server: **skipped**: no toolchain to build llama-server: missing cmake."), md);
        assertTrue(md.contains("| single stream: decode tokens/s, 64 tokens | 150.0 [148.0–152.0] | skipped |  |"), md);
        assertTrue(md.contains("| n/a |"), md);
    }

    @Test
    void markdown_putsBothServersSideBySide_withPassAndMiss() {
        String md = PeerRenderer.markdown(report(peer()));
        assertTrue(md.contains("| figure | ffm engine (Cerebrum) | llama-server | ratio |"), md);
        assertTrue(md.contains("| single stream: decode tokens/s, 64 tokens | 150.0 [148.0–152.0] | 160.0 [160.0–160.0] | 0.94× |"), md);
        assertTrue(md.contains("| 4 streams: time to first token p50 / p99 (ms) | 95 / 300 | 85 / 100 | |"), md);
        assertTrue(md.contains("| … the short request's first token came before the long one's | 2 of 2 | 0 of 2 | |"), md);
        assertTrue(md.contains("| … prompt tokens of the second taken from the cache | 990, 990 of 1001 | 984, 984 of 1001 | |"), md);
        // the probe: 512-token samples, 2 and 4 tokens from the cache; TTFT minus the server's own prompt time
        assertTrue(md.contains("| … prompt tokens the server processed (the rest came from its cache) | 510 [510–510]"
                + " | 508 [508–508] | 1.00× |"), md);
        assertTrue(md.contains("| … the server's own prompt time, as it reports it (ms) | 14.5 [14.0–15.0] | 18.5 [18.0–19.0]"
                + " | 0.78× |"), md);
        assertTrue(md.contains("| … time to first token outside it: the overhead (ms) | 6.5 [6.0–7.0] | 2.5 [2.0–3.0]"
                + " | 2.60× |"), md);
        assertTrue(md.contains("`llama-server -m m.gguf -t 2 -tb 2 -np 4 -c 9216`"), md);
        assertTrue(md.contains("| PASS |"), md);
        assertTrue(md.contains("| MISS |"), md);
        assertTrue(md.contains("other processes took 0.05 processors on average while the servers were measured, the"
                + " hypervisor stole 0.01"), md);
    }

    @Test
    void decodeSplit_putsTheRawLoopBetween_theNativeSideAndOurServersOverhead() {
        DecodeSplit s = DecodeSplit.of(ours(), raw(), peer());
        // medians of 1000/tps per run: ours 1000/150, raw 1000/155, llama-server 1000/160
        assertEquals(1000 / 150.0, s.oursMs(), 1e-9);
        assertEquals(1000 / 155.0 - 1000 / 160.0, s.nativeMs(), 1e-9);
        assertEquals(1000 / 150.0 - 1000 / 155.0, s.serverMs(), 1e-9);
        assertEquals(s.totalMs(), s.nativeMs() + s.serverMs(), 1e-9);
        assertEquals(100, s.shareOfGap(s.nativeMs()) + s.shareOfGap(s.serverMs()), 1e-9);
        // the raw loop faster than llama-server: the parts do not share the gap, the signed figures stand alone
        DecodeSplit faster = new DecodeSplit(10.5, 6.8, 8.0);
        assertEquals(-1.2, faster.nativeMs(), 1e-9);
        assertEquals(3.7, faster.serverMs(), 1e-9);
        assertTrue(Double.isNaN(faster.shareOfGap(faster.nativeMs())));
        assertTrue(Double.isNaN(faster.shareOfGap(faster.serverMs())));
        DecodeSplit alone = DecodeSplit.of(ours(), raw(), null);
        assertTrue(Double.isNaN(alone.nativeMs()));
        assertEquals(1000 / 150.0 - 1000 / 155.0, alone.serverMs(), 1e-9);
    }

    @Test
    void markdown_showsTheSplit_andWhichLibrariesTheEngineRanOn() {
        String md = PeerRenderer.markdown(report(peer()));
        assertTrue(md.contains("- The ffm engine (our server and the raw loop) ran on the same build as llama-server"
                + " (`/cache/llama-server/3.22.1`)"), md);
        assertTrue(md.contains("(llama.cpp de3ff81 built in 350 s)"), md);
        // 1000/160 = 6.25, 1000/155 = 6.45, 1000/150 = 6.67 ms per token
        assertTrue(md.contains("| llama-server | 6.25 [6.25–6.25] | 160.0 [160.0–160.0] | 21.0 [21.0–21.0] |"), md);
        assertTrue(md.contains("| raw loop (d) | 6.45 [6.45–6.45] | 155.0 [155.0–155.0] | 12.5 [12.0–13.0] |"), md);
        assertTrue(md.contains("- raw loop − llama-server: +0.20 ms per token (48% of the gap): the native code's build"
                + " (none here: both ran the same build)"), md);
        assertTrue(md.contains("- ours over HTTP − raw loop: +0.22 ms per token (52% of the gap)"), md);
        // 1000/140 - 1000/155 = 0.69 ms
        assertTrue(md.contains("| raw loop (d), prebuilt natives | 7.14 [7.14–7.14] | 140.0 [140.0–140.0] | 12.0 |"), md);
        assertTrue(md.contains("- raw loop on the prebuilt natives − raw loop on the same build as llama-server:"
                + " +0.69 ms per token"), md);
        String alone = PeerRenderer.markdown(report(null));
        assertFalse(alone.contains("prebuilt natives |"), alone);
        assertTrue(alone.contains("ran on the prebuilt natives (`/cache/llama.cpp`); not the same build as llama-server:"
                + " there is no llama-server build to share"), alone);
        assertTrue(alone.contains("- raw loop − llama-server: n/a per token"), alone);
    }

    @Test
    void chart_isAPngOfBothServers(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("peer.png");
        Chart.writePeer(png, ours(), peer(), "4 slots");
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 4);
        assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G'}, head);
        Path alone = dir.resolve("alone.png");
        Chart.writePeer(alone, ours(), null, "4 slots");
        assertTrue(Files.size(alone) > 1000);
    }
}
