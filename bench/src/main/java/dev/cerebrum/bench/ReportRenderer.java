package dev.cerebrum.bench;

import java.util.List;
import java.util.Locale;

import static dev.cerebrum.bench.Targets.fmt;

/** Renders a report as Markdown, which is also what the benchmark prints. */
final class ReportRenderer {
    private ReportRenderer() {
    }

    static String markdown(BenchReport r) {
        StringBuilder b = new StringBuilder();
        Options o = r.options();
        b.append("# Cerebrum benchmark\n\n");
        b.append("Run ").append(r.startedAt()).append(", total run time ").append(duration(r.totalSeconds()))
                .append(o.quick() ? " (**--quick** smoke run: figures are indicative only)" : "").append(".\n\n");

        b.append("## Machine\n\n");
        Machine m = r.machine();
        b.append("- CPU: ").append(m.cpuModel()).append(", ").append(m.cpus()).append(" processors")
                .append(m.simd().isEmpty() ? "" : " (" + m.simd() + ")").append('\n');
        b.append("- RAM: ").append(gib(m.ramBytes())).append('\n');
        b.append("- OS: ").append(m.os()).append("; JVM: ").append(m.java()).append('\n');
        b.append("- Load average at start: ").append(m.loadAverage()).append(", at end: ").append(r.loadAverageEnd())
                .append(" (other work on the machine slows every path alike, but adds noise)\n\n");

        b.append("## Model\n\n");
        b.append("- ").append(r.model().description()).append('\n');
        b.append("- File: `").append(r.model().path().getFileName()).append("`, ").append(mb(r.model().bytes()))
                .append(r.model().generated() ? ", written by this run in " + fmt(r.model().generateSeconds(), 1) + " s"
                        : ", reused").append('\n');
        b.append("- Every generation is greedy (temperature 0, repeat penalty 1) and ignores end of sequence, so every")
                .append(" run generates all its tokens\n\n");

        b.append("## Single stream\n\n");
        b.append("The java-llama.cpp engine (llama.cpp b4916): (a) raw de.kherud:llama in a child JVM, its reference;")
                .append(" (b) the engine SPI + worker process; (c) HTTP + client. The ffm engine (the current llama.cpp):")
                .append(" (d) the raw C-API loop through FFM in a child JVM (same library and settings as the engine, no")
                .append(" scheduler, no worker), its reference; (e) HTTP + client.\n\n");
        b.append("Prompt ").append(r.promptTokens()).append(" tokens (counted by the engine), ").append(o.tokens())
                .append(" tokens per run, ").append(o.repetitions()).append(o.repetitions() == 1 ? " run" : " runs")
                .append(" after one warm-up run, 1 slot, context ").append(o.comparisonContext())
                .append(". All paths hold the model at the same time and their runs alternate, the order rotating")
                .append(" each repetition, so that other work on the machine slows every path alike.")
                .append(" Figures: median [min–max], timed by the consumer of each path. Time to first token")
                .append(" runs from the call that starts a generation to its first token; prompt tokens/s is the")
                .append(" prompt over that time; decode tokens/s counts the tokens after the first. Host CPU is the")
                .append(" CPU time the processes around the model's spent per generated token (the engine's host JVM;")
                .append(" for HTTP the server's JVM, shown apart, and the client's), which competes with llama.cpp for")
                .append(" the cores; the benchmark's client runs on this machine, the orchestrator's would not.\n\n");
        b.append("| threads | path | time to first token (ms) | prompt tok/s | decode tok/s | host CPU (ms/token) |")
                .append(" load (ms) | runs |\n");
        b.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (Comparison c : r.comparisons()) {
            for (PathResult p : c.paths()) {
                b.append("| ").append(c.threads()).append(" | ").append(pathName(p.path())).append(" | ");
                if (p.error() != null) {
                    b.append("failed: ").append(p.error().replace("|", "/")).append(" | | | | | |\n");
                    continue;
                }
                b.append(range(p.ttftMs(), 0)).append(" | ").append(range(p.promptTokensPerSecond(), 1)).append(" | ")
                        .append(range(p.decodeTokensPerSecond(), 2)).append(" | ")
                        .append(hostCpu(p)).append(" | ").append(fmt(p.loadMs(), 0))
                        .append(" | ").append(p.runs().size()).append(shortRuns(p, o.tokens())).append(" |\n");
            }
        }
        PathResult trap = r.trapCheck();
        if (trap != null) {
            b.append("\nWarm-up trap check: (a′) is (a) with the binding's default native warm-up instead of")
                    .append(" skipWarmup (").append(trap.threads()).append(" threads, ").append(trap.runs().size())
                    .append(trap.runs().size() == 1 ? " run" : " runs").append("): ");
            if (trap.error() != null) {
                b.append("failed: ").append(trap.error()).append(".\n");
            } else {
                b.append("time to first token ").append(range(trap.ttftMs(), 0)).append(" ms, prompt ")
                        .append(range(trap.promptTokensPerSecond(), 1)).append(" tok/s, decode ")
                        .append(range(trap.decodeTokensPerSecond(), 2)).append(" tok/s.");
                b.append(" For orientation only, the shared notes' raw llama.cpp C API figures from another 2-core")
                        .append(" machine: ").append(Targets.NOTES_RAW_DECODE.get(1)).append(" / ")
                        .append(Targets.NOTES_RAW_DECODE.get(2)).append(" decode tok/s at 1 / 2 threads.\n");
            }
        }
        b.append("\nThe ffm engine against its raw loop (d), and against the java-llama.cpp engine (medians; paired:")
                .append(" the median of each repetition's ratio):\n\n");
        b.append("| threads | decode (e)/(d) | decode (e)/(d) paired | prompt (e)/(d) | prompt (e)/(d) paired |")
                .append(" prompt (d)/(a) | prompt (e)/(c) | decode (d)/(a) | decode (e)/(c) |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Comparison c : r.comparisons()) {
            b.append("| ").append(c.threads())
                    .append(" | ").append(fmt(c.decodeRatio(c.ffmHttp(), c.ffmRaw()), 3))
                    .append(" | ").append(fmt(c.pairedDecodeRatio(c.ffmHttp(), c.ffmRaw()), 3))
                    .append(" | ").append(fmt(c.promptRatio(c.ffmHttp(), c.ffmRaw()), 3))
                    .append(" | ").append(fmt(c.pairedPromptRatio(c.ffmHttp(), c.ffmRaw()), 3))
                    .append(" | ").append(fmt(c.promptRatio(c.ffmRaw(), c.raw()), 2))
                    .append(" | ").append(fmt(c.promptRatio(c.ffmHttp(), c.http()), 2))
                    .append(" | ").append(fmt(c.decodeRatio(c.ffmRaw(), c.raw()), 2))
                    .append(" | ").append(fmt(c.decodeRatio(c.ffmHttp(), c.http()), 2)).append(" |\n");
        }
        b.append("\nThe java-llama.cpp engine's paths, ratios of the medians to (a):\n\n");
        b.append("| threads | decode (b)/(a) | decode (c)/(a) | prompt (b)/(a) | prompt (c)/(a) | TTFT (b)/(a) | TTFT (c)/(a) |")
                .append(" TTFT (b)−(a) ms | TTFT (c)−(a) ms |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Comparison c : r.comparisons()) {
            b.append("| ").append(c.threads())
                    .append(" | ").append(fmt(c.decodeRatio(c.spi()), 3)).append(" | ").append(fmt(c.decodeRatio(c.http()), 3))
                    .append(" | ").append(fmt(c.promptRatio(c.spi()), 3)).append(" | ").append(fmt(c.promptRatio(c.http()), 3))
                    .append(" | ").append(fmt(c.ttftRatio(c.spi()), 3)).append(" | ").append(fmt(c.ttftRatio(c.http()), 3))
                    .append(" | ").append(signed(c.ttftOverheadMs(c.spi()))).append(" | ").append(signed(c.ttftOverheadMs(c.http())))
                    .append(" |\n");
        }

        if (o.probeRuns() > 0) {
            b.append("\nLatency probe: time to first token with a short prompt (")
                    .append(r.comparisons().stream().map(c -> c.raw().probes()).filter(l -> !l.isEmpty())
                            .map(l -> String.valueOf(l.getFirst().promptTokens())).findFirst().orElse("n/a"))
                    .append(" tokens) and one token, ").append(o.probeRuns())
                    .append(" runs per path, interleaved; short prompts make the overhead of a path visible, which")
                    .append(" the long prompt's processing time (and its variation) hides.\n\n");
            b.append("| threads | (a) raw p50 [min–max] ms | (b) engine SPI | (c) HTTP + client | (d) raw FFM loop |")
                    .append(" (e) ffm HTTP + client | (b)−(a) p50 ms | (c)−(a) p50 ms | (e)−(d) p50 ms |\n");
            b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Comparison c : r.comparisons()) {
                b.append("| ").append(c.threads()).append(" | ").append(range(c.raw().probeTtftMs(), 1)).append(" | ")
                        .append(range(c.spi().probeTtftMs(), 1)).append(" | ").append(range(c.http().probeTtftMs(), 1))
                        .append(" | ").append(range(c.ffmRaw().probeTtftMs(), 1)).append(" | ")
                        .append(range(c.ffmHttp().probeTtftMs(), 1))
                        .append(" | ").append(signed(c.probeOverheadMs(c.spi()))).append(" | ")
                        .append(signed(c.probeOverheadMs(c.http()))).append(" | ")
                        .append(signed(c.probeOverheadMs(c.ffmHttp(), c.ffmRaw()))).append(" |\n");
            }
        }
        b.append("\nPaired ratios: the median over repetitions of each repetition's ratio (the paths of a repetition")
                .append(" run back to back, so a slow spell of the machine cancels out), and the ratio of the best runs:\n\n");
        b.append("| threads | decode (b)/(a) paired | decode (c)/(a) paired | decode (c)/(a) best | prompt (b)/(a) paired |")
                .append(" prompt (c)/(a) paired | prompt (c)/(a) best |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Comparison c : r.comparisons()) {
            b.append("| ").append(c.threads())
                    .append(" | ").append(fmt(c.pairedDecodeRatio(c.spi()), 3))
                    .append(" | ").append(fmt(c.pairedDecodeRatio(c.http()), 3))
                    .append(" | ").append(fmt(c.bestDecodeRatio(c.http()), 3))
                    .append(" | ").append(fmt(c.pairedPromptRatio(c.spi()), 3))
                    .append(" | ").append(fmt(c.pairedPromptRatio(c.http()), 3))
                    .append(" | ").append(fmt(c.bestPromptRatio(c.http()), 3)).append(" |\n");
        }

        b.append("\n## Concurrency\n\n");
        b.append("One model with ").append(o.slots()).append(" slots, ").append(o.concurrencyThreads())
                .append(o.concurrencyThreads() == 1 ? " thread" : " threads").append(", context ")
                .append(o.concurrencyContext()).append("; each stream has its own prompt of about ")
                .append(r.concurrencyPromptTokens()).append(" tokens and generates ").append(o.tokens())
                .append(" tokens; each level ran ").append(o.repetitions()).append(o.repetitions() == 1 ? " time" : " times")
                .append(". Aggregate = completion tokens of all streams over the wall time until the last one ended")
                .append(" (median [min–max] of the repetitions); time to first token is the client's, queue included;")
                .append(" queue wait is the done event's timings.queue_ms. p50 and p99 pool every stream of every")
                .append(" repetition (p99 is nearest-rank, so with few streams it is the maximum). The HTTP streams run")
                .append(" on the default engine (ffm). The reference runs the same streams through de.kherud:llama")
                .append(" (llama.cpp b4916) in-process with the same slots and threads, its repetitions alternating")
                .append(" with the HTTP ones: the old engine's library, not the same one.\n\n");
        b.append("| streams | aggregate tok/s | reference aggregate tok/s | HTTP / reference |")
                .append(" per-stream decode tok/s (p50) | TTFT p50 (ms) | TTFT p99 (ms) | reference TTFT p50 (ms) |")
                .append(" queue p50 (ms) | queue p99 (ms) | failed |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ConcurrencyLevel l : r.concurrency()) {
            Summary ttft = l.ttftMs();
            Summary queue = l.queueMs();
            b.append("| ").append(l.streams()).append(" | ").append(range(l.aggregate(), 2)).append(" | ")
                    .append(range(l.rawAggregateSummary(), 2)).append(" | ")
                    .append(fmt(Stats.ratio(l.aggregate().median(), l.rawAggregateSummary().median()), 3)).append(" | ")
                    .append(fmt(l.perStreamDecode().median(), 2)).append(" | ").append(fmt(ttft.median(), 0)).append(" | ")
                    .append(fmt(ttft.p99(), 0)).append(" | ").append(fmt(l.rawTtftMs().median(), 0)).append(" | ")
                    .append(fmt(queue.median(), 0)).append(" | ")
                    .append(fmt(queue.p99(), 0)).append(" | ").append(l.failedStreams())
                    .append(l.error() == null ? "" : " (" + l.error().replace("|", "/") + ")").append(" |\n");
        }
        b.append("\nChart: `concurrency.png`.\n");

        b.append("\n## Memory\n\n");
        MemoryResult mem = r.memory();
        b.append("- Server process, idle, no model loaded: ").append(mb(mem.serverIdleRssBytes())).append(" RSS\n");
        if (!mem.holders().isEmpty()) {
            b.append("\n| process holding the model | context | slots | RSS | anon | file-backed | backend's rss_bytes |")
                    .append(" estimate | model file | RSS / file | RSS / estimate |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (WorkerMemory w : mem.holders()) {
                b.append("| ").append(w.label()).append(" | ").append(w.contextSize()).append(" | ").append(w.slots())
                        .append(" | ").append(mb(w.rssBytes())).append(" | ").append(mb(w.rssAnonBytes())).append(" | ")
                        .append(mb(w.rssFileBytes())).append(" | ").append(mb(w.reportedBytes())).append(" | ")
                        .append(mb(w.estimateBytes())).append(" | ").append(mb(w.fileBytes())).append(" | ")
                        .append(fmt(ratio(w.rssBytes(), w.fileBytes()), 2)).append(" | ")
                        .append(fmt(ratio(w.rssBytes(), w.estimateBytes()), 2)).append(" |\n");
            }
            b.append('\n');
        }
        b.append("- After unloading the model: worker process ")
                .append(mem.workerExitedAfterUnload() == null ? "n/a" : mem.workerExitedAfterUnload() ? "exited" : "STILL RUNNING")
                .append(", server RSS ").append(mb(mem.serverRssAfterUnload())).append('\n');
        b.append("- Host MemAvailable: ").append(mb(mem.hostAvailableBefore())).append(" before the load, ")
                .append(mb(mem.hostAvailableLoaded())).append(" loaded, ").append(mb(mem.hostAvailableAfterUnload()))
                .append(" after the unload (the weights stay in the page cache, which counts as available)\n");

        b.append("\n## Cold start\n\n");
        ColdStart cs = r.coldStart();
        if (cs.error() != null) {
            b.append("Failed: ").append(cs.error()).append('\n');
        } else if (cs.firstTokenMs().isEmpty()) {
            b.append("Not measured.\n");
        } else {
            b.append("From an unloaded model (the ").append(o.slots()).append("-slot one) to its first token through")
                    .append(" HTTP, the request itself loading the model; the file is in the page cache (warm disk).\n\n");
            b.append("- First token: ").append(range(Stats.summarize(cs.firstTokenMs()), 0)).append(" ms over ")
                    .append(cs.firstTokenMs().size()).append(cs.firstTokenMs().size() == 1 ? " cold start" : " cold starts")
                    .append('\n');
            b.append("- Of which load (server's load_ms): ").append(range(Stats.summarize(cs.loadMs()), 0)).append(" ms\n");
        }

        b.append("\n## Targets (reported, not asserted)\n\n");
        b.append("| target | measured | goal | met |\n|---|---|---|---|\n");
        for (Targets.Target t : Targets.evaluate(r)) {
            b.append("| ").append(t.name()).append(" | ").append(t.measured()).append(" | ").append(t.goal()).append(" | ")
                    .append(t.met() == null ? "n/a" : t.met() ? "met" : "**not met**").append(" |\n");
        }

        if (!r.notes().isEmpty()) {
            b.append("\n## Notes\n\n");
            for (String n : r.notes()) {
                b.append("- ").append(n).append('\n');
            }
        }

        b.append("\n## Run time\n\n");
        b.append("Other processes' CPU: what processes outside the benchmark (and the hypervisor, as steal) used")
                .append(" during the phase, in processors; the benchmark needs them all.\n\n");
        b.append("| phase | seconds | other processes' CPU | steal |\n|---|---:|---:|---:|\n");
        for (Phase p : r.phases()) {
            b.append("| ").append(p.name()).append(" | ").append(fmt(p.seconds(), 1)).append(" | ")
                    .append(fmt(p.otherCores(), 2)).append(" | ").append(fmt(p.stealCores(), 2)).append(" |\n");
        }
        b.append("| **total** | ").append(fmt(r.totalSeconds(), 1)).append(" | | |\n");
        b.append("\nOptions: ").append(optionsLine(o)).append('\n');
        return b.toString();
    }

    static String optionsLine(Options o) {
        return String.format(Locale.ROOT, "--threads %s --tokens %d --reps %d --prompt-tokens %d --concurrency %s"
                        + " --slots %d --concurrency-threads %d --concurrency-prompt %d --probe-runs %d --cold-starts %d%s",
                join(o.threads()), o.tokens(), o.repetitions(), o.promptTokens(), join(o.concurrency()), o.slots(),
                o.concurrencyThreads(), o.concurrencyPromptTokens(), o.probeRuns(), o.coldStarts(),
                o.quick() ? " (from --quick)" : "");
    }

    static String pathName(String path) {
        return switch (path) {
            case "raw" -> "(a) raw";
            case "spi" -> "(b) engine SPI";
            case "http" -> "(c) HTTP + client";
            case RawReference.FFM_PATH -> "(d) raw FFM loop";
            case "ffm-http" -> "(e) ffm HTTP + client";
            case RawReference.TRAP_PATH -> "(a′) raw, native warm-up";
            default -> path;
        };
    }

    /** "2.03 (server 0.70)" for HTTP, the total elsewhere. */
    private static String hostCpu(PathResult p) {
        double server = p.serverCpuMsPerToken().median();
        return fmt(p.hostCpuMsPerToken().median(), 2) + (Double.isNaN(server) ? "" : " (server " + fmt(server, 2) + ")");
    }

    private static String shortRuns(PathResult p, int tokens) {
        long n = p.shortRuns(tokens);
        return n == 0 ? "" : " (" + n + " ended early at end of sequence)";
    }

    private static String join(List<Integer> list) {
        return String.join(",", list.stream().map(String::valueOf).toList());
    }

    static String range(Summary s, int decimals) {
        if (s.isEmpty()) {
            return "n/a";
        }
        if (s.count() == 1) {
            return fmt(s.median(), decimals);
        }
        return fmt(s.median(), decimals) + " [" + fmt(s.min(), decimals) + "–" + fmt(s.max(), decimals) + "]";
    }

    private static String signed(double v) {
        return Double.isNaN(v) ? "n/a" : (v >= 0 ? "+" : "") + fmt(v, 1);
    }

    private static double ratio(long a, long b) {
        return a < 0 || b <= 0 ? Double.NaN : (double) a / b;
    }

    static String mb(long bytes) {
        return bytes < 0 ? "n/a" : fmt(bytes / 1e6, 1) + " MB";
    }

    private static String gib(long bytes) {
        return bytes < 0 ? "n/a" : fmt(bytes / (double) (1L << 30), 1) + " GiB";
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return "n/a";
        }
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
    }
}
