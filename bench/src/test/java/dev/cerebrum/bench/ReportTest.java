package dev.cerebrum.bench;

import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {

    /** A run whose TTFT, prompt rate (512 tokens) and decode rate are given. */
    private static RunSample run(double ttftMs, double decodeTps) {
        return new RunSample(ttftMs, 512 * 1000.0 / ttftMs, decodeTps, 512, 64, "length", ttftMs + 1000, Double.NaN);
    }

    private static BenchReport report() {
        PathResult raw = new PathResult("raw", 1, 900, 1_300_000_000L,
                List.of(run(1000, 7.0), run(1100, 7.2), run(990, 6.8)), null);
        PathResult spi = new PathResult("spi", 1, 1500, 1_310_000_000L,
                List.of(run(1004, 6.9), run(1010, 7.0), run(1008, 7.1)), null);
        PathResult http = new PathResult("http", 1, 1600, 1_320_000_000L,
                List.of(run(1020, 6.5), run(1030, 6.6), run(1025, 6.7)), null);
        PathResult ffmRaw = new PathResult(RawReference.FFM_PATH, 1, 400, 1_900_000_000L,
                List.of(run(400, 10.0), run(410, 10.2), run(405, 9.8)), null);
        PathResult ffmHttp = new PathResult("ffm-http", 1, 700, 1_950_000_000L,
                List.of(run(410, 9.9), run(415, 10.0), run(420, 9.7)), null);
        ConcurrencyLevel one = new ConcurrencyLevel(1, List.of(10.0, 10.0), List.of(
                new RunSample(100, 320, 10, 32, 64, "length", 6500, 0.5),
                new RunSample(110, 290, 10, 32, 64, "length", 6500, 0.7)), 0, null, List.of(10.0), List.of(
                new RunSample(100, 320, 10, 32, 64, "length", 6400, Double.NaN)));
        ConcurrencyLevel four = new ConcurrencyLevel(4, List.of(12.0, 14.0), List.of(
                new RunSample(400, 80, 3, 32, 64, "length", 20000, 1),
                new RunSample(500, 64, 3, 32, 64, "length", 20000, 2),
                new RunSample(600, 53, 3, 32, 64, "length", 20000, 3),
                new RunSample(900, 35, 3, 32, 64, "length", 20000, 4)), 0, null, List.of(12.5, 13.5), List.of(
                new RunSample(450, 71, 3, 32, 64, "length", 20000, Double.NaN),
                new RunSample(550, 58, 3, 32, 64, "length", 20000, Double.NaN)));
        MemoryResult memory = new MemoryResult(150_000_000L, List.of(new WorkerMemory("(c) server's worker, 4 slots, 2t",
                1024, 4, 1_400_000_000L, 200_000_000L, 1_200_000_000L, 1_400_000_000L, 1_350_000_000L,
                1_170_000_000L)), 160_000_000L, true, 20_000_000_000L, 19_800_000_000L, 20_000_000_000L);
        List<Phase> phases = List.of(new Phase("model file", 12.5, 0.0, 0.0),
                new Phase("single stream, 1t", 40.0, 0.5, 0.01));
        Options options = Options.parse(List.of("--threads", "1"));
        return new BenchReport("2026-11-25T17:00:00Z",
                new Machine("AMD EPYC", 2, "avx2", 24L << 30, "Linux 6.1", "OpenJDK 25", "1.00 0.50 0.20"),
                options, new ModelFile(Path.of("/x/models/m.gguf"), 1_170_000_000L, false, 0, "a shape"), 512, 33,
                List.of(new Comparison(1, raw, spi, http, ffmRaw, ffmHttp)),
                new PathResult(RawReference.TRAP_PATH, 1, 900, -1, List.of(run(1000, 5.0)), null),
                List.of(one, four), memory,
                new ColdStart(List.of(2500.0, 2300.0, 2400.0), List.of(2000.0, 1900.0, 2100.0), null), phases, 605,
                "2.00 1.00 0.50", List.of("a note"));
    }

    @Test
    void markdown_showsMediansWithMinAndMax_andTheRatiosToTheReference() {
        String md = ReportRenderer.markdown(report());

        // medians [min–max] of the three runs
        assertTrue(md.contains("| 1 | (a) raw | 1000 [990–1100] | 512.0 [465.5–517.2] | 7.00 [6.80–7.20] | n/a | 900 | 3 |"), md);
        assertTrue(md.contains("| 1 | (c) HTTP + client | 1025 [1020–1030] |"), md);
        // decode (b)/(a) = 7.0/7.0, (c)/(a) = 6.6/7.0; TTFT (c)−(a) = 1025 − 1000
        assertTrue(md.contains("| 1 | 1.000 | 0.943 |"), md);
        assertTrue(md.contains("| +8.0 | +25.0 |"), md);
        // paired decode (c)/(a): 6.5/7.0, 6.6/7.2, 6.7/6.8 -> median 0.929; best runs 6.7/7.2
        assertTrue(md.contains("| 1 | 0.986 | 0.929 | 0.931 |"), md);
        assertTrue(md.contains("total run time 10 min 5 s"), md);
        assertTrue(md.contains("- a note"), md);
        assertTrue(md.contains("| single stream, 1t | 40.0 | 0.50 | 0.01 |"), md);
    }

    @Test
    void markdown_showsConcurrencyPercentilesAndQueueWait() {
        String md = ReportRenderer.markdown(report());
        // 4 streams: aggregate median of 12 and 14; TTFT p50 = (500 + 600) / 2, p99 = max; queue p50 = 2.5
        // the reference: aggregate median 13 (ratio 1.000), TTFT p50 (450 + 550) / 2
        assertTrue(md.contains("| 4 | 13.00 [12.00–14.00] | 13.00 [12.50–13.50] | 1.000 | 3.00 | 550 | 900 | 500 | 3 | 4 | 0 |"), md);
    }

    @Test
    void targets_areReportedAsMetOrNotMet_withTheMeasuredValues() {
        Map<String, Targets.Target> byName = new LinkedHashMap<>();
        for (Targets.Target t : Targets.evaluate(report())) {
            byName.put(t.name(), t);
        }
        assertEquals(new Targets.Target("(c)/(a) decode tokens/s, 1 thread", "0.943 (paired 0.929, best runs 0.931)",
                        "≥ 0.97", false),
                byName.get("(c)/(a) decode tokens/s, 1 thread"));
        // (a) decodes 7.0 tok/s, the run with the native warm-up 5.0: 1.4×
        Targets.Target trap = byName.get("(a) free of the warm-up trap, 1 thread");
        assertEquals(true, trap.met());
        assertTrue(trap.measured().startsWith("7.00 tok/s vs 5.00 with the native warm-up (1.40×)"), trap.measured());
        // prompt: 512/1.025 over 512/1.0 = 0.976; paired 1000/1020, 1100/1030, 990/1025 -> 0.980; best 990/1020
        assertEquals(new Targets.Target("(c)/(a) prompt tokens/s, 1 thread", "0.976 (paired 0.980, best runs 0.971)",
                        "≥ 0.95", true),
                byName.get("(c)/(a) prompt tokens/s, 1 thread"));
        assertEquals(false, byName.get("(c) − (a) time to first token at p50, 1 thread").met());
        // 13 / 10 = 1.3: met exactly at the threshold
        assertEquals(new Targets.Target("aggregate tokens/s, 4 streams over 1 stream", "1.30× (the reference: 1.30×)",
                        "≥ 1.3×", true),
                byName.get("aggregate tokens/s, 4 streams over 1 stream"));
        assertEquals(new Targets.Target("idle server RSS (no model)", "150.0 MB", "≤ 200 MB", true),
                byName.get("idle server RSS (no model)"));
    }

    @Test
    void ffmTargets_compareTheEngineOverHttpWithItsRawLoop_andWithTheOldEngine() {
        Map<String, Targets.Target> byName = new LinkedHashMap<>();
        for (Targets.Target t : Targets.evaluate(report())) {
            byName.put(t.name(), t);
        }
        // decode (e)/(d): 9.9 / 10.0; paired 9.9/10.0, 10.0/10.2, 9.7/9.8 -> 0.990; best 10.0/10.2
        assertEquals(new Targets.Target("(e)/(d) decode tokens/s, ffm engine over HTTP vs the raw loop, 1 thread",
                "0.990 (paired 0.990, best runs 0.980)", "≥ 0.97", true),
                byName.get("(e)/(d) decode tokens/s, ffm engine over HTTP vs the raw loop, 1 thread"));
        // prompt (e)/(d): 512/0.415 over 512/0.405 = 0.976
        assertEquals(true, byName.get("(e)/(d) prompt tokens/s, ffm engine over HTTP vs the raw loop, 1 thread").met());
        assertTrue(ReportRenderer.markdown(report()).contains("| 1 | 0.990 | 0.990 | 0.976 | "), ReportRenderer.markdown(report()));

        // at 2 threads the ffm engine's prompt speed is compared with the old engine's: 1025 / 415 ms TTFT = 2.47x
        BenchReport r = report();
        Comparison c = r.comparisons().getFirst();
        Comparison two = new Comparison(2, c.raw(), c.spi(), c.http(), c.ffmRaw(), c.ffmHttp());
        BenchReport atTwo = new BenchReport(r.startedAt(), r.machine(), r.options(), r.model(), r.promptTokens(),
                r.concurrencyPromptTokens(), List.of(two), r.trapCheck(), r.concurrency(), r.memory(), r.coldStart(),
                r.phases(), r.totalSeconds(), r.loadAverageEnd(), r.notes());
        Targets.Target gain = Targets.evaluate(atTwo).stream()
                .filter(t -> t.name().startsWith("(e)/(c) prompt tokens/s")).findFirst().orElseThrow();
        assertEquals(true, gain.met());
        assertTrue(gain.measured().startsWith("2.47× (1233.7 vs 499.5 tok/s; raw (d)/(a) 2.47×)"), gain.measured());
    }

    @Test
    void ttftTarget_isDecidedByTheLatencyProbe_whenItRan() {
        // given the long-prompt medians differ by 25 ms, but the probe's by 4 ms
        BenchReport r = report();
        Comparison c = r.comparisons().getFirst();
        List<RunSample> rawProbes = List.of(run(100, 1), run(102, 1), run(104, 1));
        List<RunSample> httpProbes = List.of(run(110, 1), run(106, 1), run(105, 1));
        Comparison probed = new Comparison(1, withProbes(c.raw(), rawProbes), c.spi(), withProbes(c.http(), httpProbes),
                c.ffmRaw(), c.ffmHttp());
        BenchReport withProbe = new BenchReport(r.startedAt(), r.machine(), r.options(), r.model(), r.promptTokens(),
                r.concurrencyPromptTokens(), List.of(probed), r.trapCheck(), r.concurrency(), r.memory(), r.coldStart(),
                r.phases(), r.totalSeconds(), r.loadAverageEnd(), r.notes());

        // when
        Targets.Target t = Targets.evaluate(withProbe).stream()
                .filter(x -> x.name().startsWith("(c) − (a) time to first token")).findFirst().orElseThrow();

        // then
        assertEquals(new Targets.Target("(c) − (a) time to first token at p50, 1 thread",
                "4.0 ms (latency probe; 512-token prompt: 25.0 ms)", "≤ 10 ms", true), t);
        assertTrue(ReportRenderer.markdown(withProbe).contains(
                "| 1 | 102.0 [100.0–104.0] | n/a | 106.0 [105.0–110.0] | n/a | n/a | n/a | +4.0 | n/a |"));
    }

    private static PathResult withProbes(PathResult p, List<RunSample> probes) {
        return new PathResult(p.path(), p.threads(), p.loadMs(), p.residentBytes(), p.runs(), p.error(), probes);
    }

    @Test
    void targets_ofAFailedPath_areNotApplicable_ratherThanMet() {
        BenchReport r = report();
        Comparison c = r.comparisons().getFirst();
        BenchReport failed = new BenchReport(r.startedAt(), r.machine(), r.options(), r.model(), r.promptTokens(),
                r.concurrencyPromptTokens(), List.of(new Comparison(1, c.raw(), c.spi(),
                PathResult.failed("http", 1, "no server"), c.ffmRaw(), PathResult.failed("ffm-http", 1, "no server"))),
                r.trapCheck(), List.of(), MemoryResult.NONE, ColdStart.NONE,
                r.phases(), r.totalSeconds(), r.loadAverageEnd(), r.notes());
        for (Targets.Target t : Targets.evaluate(failed)) {
            if (!t.name().startsWith("(a)") && !t.name().startsWith("idle")) {
                assertNull(t.met(), t.name());
            }
        }
        assertTrue(ReportRenderer.markdown(failed).contains("| 1 | (c) HTTP + client | failed: no server | | | | | |"));
    }

    @Test
    void json_carriesTheSameFigures_andNullForWhatWasNotMeasured() throws Exception {
        Map<String, Object> json = JSON.std.mapFrom(ReportJson.render(report()));
        List<?> single = (List<?>) json.get("single_stream");
        Map<?, ?> first = (Map<?, ?>) single.getFirst();
        Map<?, ?> ratios = (Map<?, ?>) first.get("ratios");
        assertEquals(25.0, ((Number) ratios.get("ttft_overhead_http_ms")).doubleValue(), 1e-9);
        Map<?, ?> raw = (Map<?, ?>) first.get("raw");
        Map<?, ?> decode = (Map<?, ?>) raw.get("decode_tokens_per_second");
        assertEquals(7.0, ((Number) decode.get("median")).doubleValue(), 1e-9);
        Map<?, ?> run = (Map<?, ?>) ((List<?>) raw.get("runs")).getFirst();
        assertTrue(run.containsKey("queue_ms"));
        assertNull(run.get("queue_ms"));
        Map<?, ?> memory = (Map<?, ?>) json.get("memory");
        assertEquals(150_000_000L, ((Number) memory.get("server_idle_rss_bytes")).longValue());
        assertEquals(8, ((List<?>) json.get("targets")).size());
        Map<?, ?> ffm = (Map<?, ?>) first.get("ffm_ratios");
        assertEquals(9.9 / 10.0, ((Number) ffm.get("decode_ffm_http_over_ffm_raw")).doubleValue(), 1e-9);
    }

    @Test
    void chart_isWrittenAsAPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("c.png");
        Chart.write(png, report().concurrency(), "test");
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
    }
}
