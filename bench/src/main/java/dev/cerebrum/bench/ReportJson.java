package dev.cerebrum.bench;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report as JSON; numbers that were not measured are null. */
final class ReportJson {
    private ReportJson() {
    }

    static String render(BenchReport r) {
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES).asString(tree(r)) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> tree(BenchReport r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("started_at", r.startedAt());
        root.put("total_seconds", num(r.totalSeconds()));
        Machine m = r.machine();
        root.put("machine", map("cpu_model", m.cpuModel(), "cpus", m.cpus(), "simd", m.simd(), "ram_bytes", m.ramBytes(),
                "os", m.os(), "java", m.java(), "load_average_start", m.loadAverage(), "load_average_end", r.loadAverageEnd()));
        Options o = r.options();
        root.put("options", map("threads", o.threads(), "tokens", o.tokens(), "repetitions", o.repetitions(),
                "prompt_tokens", o.promptTokens(), "concurrency", o.concurrency(), "slots", o.slots(),
                "concurrency_threads", o.concurrencyThreads(), "concurrency_prompt_tokens", o.concurrencyPromptTokens(),
                "cold_starts", o.coldStarts(), "probe_runs", o.probeRuns(), "quick", o.quick(), "comparison_context", o.comparisonContext(),
                "concurrency_context", o.concurrencyContext()));
        root.put("model", map("file", r.model().path().getFileName().toString(), "bytes", r.model().bytes(),
                "generated", r.model().generated(), "generate_seconds", num(r.model().generateSeconds()),
                "description", r.model().description()));
        root.put("prompt_tokens", r.promptTokens());
        root.put("concurrency_prompt_tokens", r.concurrencyPromptTokens());

        List<Object> comparisons = new ArrayList<>();
        for (Comparison c : r.comparisons()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("threads", c.threads());
            cm.put("raw", path(c.raw()));
            cm.put("spi", path(c.spi()));
            cm.put("http", path(c.http()));
            cm.put("ffm_raw", path(c.ffmRaw()));
            cm.put("ffm_http", path(c.ffmHttp()));
            cm.put("ffm_ratios", map(
                    "decode_ffm_http_over_ffm_raw", num(c.decodeRatio(c.ffmHttp(), c.ffmRaw())),
                    "prompt_ffm_http_over_ffm_raw", num(c.promptRatio(c.ffmHttp(), c.ffmRaw())),
                    "paired_decode_ffm_http_over_ffm_raw", num(c.pairedDecodeRatio(c.ffmHttp(), c.ffmRaw())),
                    "paired_prompt_ffm_http_over_ffm_raw", num(c.pairedPromptRatio(c.ffmHttp(), c.ffmRaw())),
                    "prompt_ffm_http_over_http", num(c.promptRatio(c.ffmHttp(), c.http())),
                    "prompt_ffm_raw_over_raw", num(c.promptRatio(c.ffmRaw(), c.raw())),
                    "decode_ffm_http_over_http", num(c.decodeRatio(c.ffmHttp(), c.http())),
                    "probe_ttft_overhead_ffm_http_ms", num(c.probeOverheadMs(c.ffmHttp(), c.ffmRaw()))));
            cm.put("ratios", map(
                    "decode_spi_over_raw", num(c.decodeRatio(c.spi())), "decode_http_over_raw", num(c.decodeRatio(c.http())),
                    "prompt_spi_over_raw", num(c.promptRatio(c.spi())), "prompt_http_over_raw", num(c.promptRatio(c.http())),
                    "ttft_spi_over_raw", num(c.ttftRatio(c.spi())), "ttft_http_over_raw", num(c.ttftRatio(c.http())),
                    "ttft_overhead_spi_ms", num(c.ttftOverheadMs(c.spi())),
                    "ttft_overhead_http_ms", num(c.ttftOverheadMs(c.http())),
                    "probe_ttft_overhead_spi_ms", num(c.probeOverheadMs(c.spi())),
                    "probe_ttft_overhead_http_ms", num(c.probeOverheadMs(c.http()))));
            cm.put("paired_ratios", map(
                    "decode_spi_over_raw", num(c.pairedDecodeRatio(c.spi())),
                    "decode_http_over_raw", num(c.pairedDecodeRatio(c.http())),
                    "prompt_spi_over_raw", num(c.pairedPromptRatio(c.spi())),
                    "prompt_http_over_raw", num(c.pairedPromptRatio(c.http()))));
            cm.put("best_run_ratios", map(
                    "decode_spi_over_raw", num(c.bestDecodeRatio(c.spi())), "decode_http_over_raw", num(c.bestDecodeRatio(c.http())),
                    "prompt_spi_over_raw", num(c.bestPromptRatio(c.spi())), "prompt_http_over_raw", num(c.bestPromptRatio(c.http())),
                    "ttft_overhead_spi_ms", num(c.bestTtftOverheadMs(c.spi())),
                    "ttft_overhead_http_ms", num(c.bestTtftOverheadMs(c.http()))));
            comparisons.add(cm);
        }
        root.put("single_stream", comparisons);
        root.put("warmup_trap_check", r.trapCheck() == null ? null : path(r.trapCheck()));

        List<Object> levels = new ArrayList<>();
        for (ConcurrencyLevel l : r.concurrency()) {
            levels.add(map("streams", l.streams(), "aggregate_tokens_per_second", summary(l.aggregate()),
                    "aggregate_per_repetition", l.aggregateTps().stream().map(ReportJson::num).toList(),
                    "ttft_ms", summary(l.ttftMs()), "queue_ms", summary(l.queueMs()),
                    "per_stream_decode_tokens_per_second", summary(l.perStreamDecode()),
                    "failed_streams", l.failedStreams(), "error", l.error(),
                    "reference_aggregate_tokens_per_second", summary(l.rawAggregateSummary()),
                    "reference_aggregate_per_repetition", l.rawAggregate().stream().map(ReportJson::num).toList(),
                    "reference_ttft_ms", summary(l.rawTtftMs())));
        }
        root.put("concurrency", levels);

        MemoryResult mem = r.memory();
        List<Object> holders = new ArrayList<>();
        for (WorkerMemory w : mem.holders()) {
            holders.add(map("process", w.label(), "context_size", w.contextSize(), "slots", w.slots(),
                    "rss_bytes", w.rssBytes(), "rss_anon_bytes", w.rssAnonBytes(), "rss_file_bytes", w.rssFileBytes(),
                    "reported_rss_bytes", w.reportedBytes(), "estimate_bytes", w.estimateBytes(),
                    "model_file_bytes", w.fileBytes()));
        }
        root.put("memory", map("server_idle_rss_bytes", mem.serverIdleRssBytes(), "model_holders", holders,
                "server_rss_after_unload_bytes", mem.serverRssAfterUnload(),
                "worker_exited_after_unload", mem.workerExitedAfterUnload(),
                "host_available_before_load_bytes", mem.hostAvailableBefore(),
                "host_available_loaded_bytes", mem.hostAvailableLoaded(),
                "host_available_after_unload_bytes", mem.hostAvailableAfterUnload()));

        ColdStart cs = r.coldStart();
        root.put("cold_start", map("first_token_ms", summary(Stats.summarize(cs.firstTokenMs())),
                "load_ms", summary(Stats.summarize(cs.loadMs())), "error", cs.error()));

        List<Object> targets = new ArrayList<>();
        for (Targets.Target t : Targets.evaluate(r)) {
            targets.add(map("target", t.name(), "measured", t.measured(), "goal", t.goal(), "met", t.met()));
        }
        root.put("targets", targets);
        List<Object> phases = new ArrayList<>();
        for (Phase p : r.phases()) {
            phases.add(map("phase", p.name(), "seconds", num(p.seconds()), "other_processes_cpu", num(p.otherCores()),
                    "steal_cpu", num(p.stealCores())));
        }
        root.put("phases", phases);
        root.put("notes", r.notes());
        return root;
    }

    private static Map<String, Object> path(PathResult p) {
        List<Object> runs = new ArrayList<>();
        for (RunSample s : p.runs()) {
            runs.add(map("ttft_ms", num(s.ttftMs()), "prompt_tokens_per_second", num(s.promptTokensPerSecond()),
                    "decode_tokens_per_second", num(s.decodeTokensPerSecond()), "prompt_tokens", s.promptTokens(),
                    "completion_tokens", s.completionTokens(), "finish_reason", s.finishReason(),
                    "total_ms", num(s.totalMs()), "queue_ms", num(s.queueMs()), "host_cpu_ms", num(s.hostCpuMs()),
                    "server_cpu_ms", num(s.serverCpuMs())));
        }
        return map("path", p.path(), "threads", p.threads(), "error", p.error(), "load_ms", num(p.loadMs()),
                "resident_bytes", p.residentBytes(), "prompt_tokens", p.promptTokens(),
                "ttft_ms", summary(p.ttftMs()), "prompt_tokens_per_second", summary(p.promptTokensPerSecond()),
                "decode_tokens_per_second", summary(p.decodeTokensPerSecond()),
                "host_cpu_ms_per_token", summary(p.hostCpuMsPerToken()),
                "server_cpu_ms_per_token", summary(p.serverCpuMsPerToken()), "runs", runs,
                "probe_ttft_ms", summary(p.probeTtftMs()), "probe_runs", p.probes().size());
    }

    private static Map<String, Object> summary(Summary s) {
        return map("count", s.count(), "median", num(s.median()), "p99", num(s.p99()), "min", num(s.min()),
                "max", num(s.max()));
    }

    private static Object num(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
