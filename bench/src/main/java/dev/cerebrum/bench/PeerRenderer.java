package dev.cerebrum.bench;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static dev.cerebrum.bench.ReportRenderer.range;
import static dev.cerebrum.bench.Targets.fmt;

/** Renders a peer comparison as Markdown, which is also what the benchmark prints. */
final class PeerRenderer {
    /** BOS, a word boundary, the first letter and a boundary: what two probe prompts of one first letter share. */
    private static final int PROBE_SHARED_TOKENS = 4;

    private PeerRenderer() {
    }

    static String markdown(PeerReport r) {
        PeerOptions o = r.options();
        StringBuilder b = new StringBuilder();
        b.append("# Peer comparison: the ").append(o.engine()).append(" engine over HTTP and llama-server\n\n");
        b.append("Run ").append(r.startedAt()).append(", total run time ").append(ReportRenderer.duration(r.totalSeconds()))
                .append(o.quick() ? " (**--quick** smoke run: figures are indicative only)" : "").append(".\n\n");

        b.append("## Machine\n\n");
        ReportRenderer.machine(b, r.machine());
        b.append("- Load average at start: ").append(r.machine().loadAverage()).append(", at end: ")
                .append(r.loadAverageEnd()).append("; other processes took ").append(fmt(r.otherCores(), 2))
                .append(" processors on average while the servers were measured, the hypervisor stole ")
                .append(fmt(r.stealCores(), 2)).append("\n\n");

        b.append("## Setup\n\n");
        b.append("- Model: ").append(r.model().description()).append(", `").append(r.model().path().getFileName())
                .append("`, ").append(ReportRenderer.mb(r.model().bytes())).append('\n');
        b.append("- Both servers: ").append(o.threads()).append(o.threads() == 1 ? " thread" : " threads").append(", ")
                .append(o.slots()).append(" slots, context ").append(o.context()).append(" (")
                .append(o.context() / o.slots()).append(" per slot), on loopback, side by side; every workload goes to")
                .append(" one and then the other, the order alternating each repetition\n");
        b.append("- The same client code for both (the JDK HTTP client reading the event stream): greedy (temperature")
                .append(" 0, repeat penalty 1), end of sequence ignored, a fixed token count. Time to first token runs")
                .append(" from sending the request to the first token's event; prompt tokens/s is the prompt over that")
                .append(" time; decode tokens/s counts the tokens after the first\n");
        b.append("- Cerebrum: the ").append(o.engine()).append(" engine (")
                .append(o.engine().equals("ffm") ? "each model in a worker process" : "models in the server's process")
                .append("), registry entry `ctx_size: ").append(o.context()).append("`, `threads: ")
                .append(o.threads()).append("`, `parallel: ").append(o.slots()).append("`, `engine: ").append(o.engine())
                .append("`, the other settings default but `MAX_CPU_PERCENT=100` (llama-server beside it is other")
                .append(" load by design, which must not make it refuse work); `POST /v1/inference/stream`\n");
        b.append("- The ffm engine (our server and the raw loop) ran on ").append(r.natives().describe()).append('\n');
        if (r.peer() != null) {
            b.append("- llama-server ").append(r.peerVersion() == null ? "" : "(" + r.peerVersion() + ") ")
                    .append("built from the pinned source by `bench/peer/build-llama-server.sh`")
                    .append(r.peerBuild() == null ? "" : " (" + r.peerBuild() + ")").append(": `")
                    .append(r.peerCommand()).append("`, the other settings default (prompt cache on);")
                    .append(" `POST /completion` with `stream`, `n_predict`, `ignore_eos`, `cache_prompt`\n");
        } else {
            b.append("- llama-server: **skipped**: ").append(r.peerSkipped()).append('\n');
        }
        b.append("- Figures: median [min–max] over ").append(o.repetitions()).append(o.repetitions() == 1 ? " run" : " runs")
                .append(" (bursts for concurrency) after the same warm-up for each server: ").append(PeerBench.WARMUP_RUNS)
                .append(" runs of ").append(PeerBench.WARMUP_TOKENS).append(" tokens, ").append(PeerBench.WARMUP_SHORT_REQUESTS)
                .append(" short requests of one token, ").append(PeerBench.WARMUP_BURSTS)
                .append(" bursts at each concurrency level, and ").append(PeerBench.WARMUP_REQUEST_PATHS)
                .append(" one-token requests, ").append(o.slots()).append(" at a time, so that the JVM compiles the")
                .append(" per-request paths (--quick: one run of 8 tokens)\n");
        b.append("- The latency probe's overhead is each run's time to first token minus the server's own prompt time")
                .append(" (`timings.prompt_ms` in the last event of both servers): what HTTP, the queue and the hand-offs")
                .append(" add. The probe's prompts share at most their first ").append(PROBE_SHARED_TOKENS)
                .append(" tokens with earlier prompts, but the servers may process different numbers of their tokens:")
                .append(" llama-server keeps earlier prompts in a prompt cache in RAM (`--cache-ram`, by default 8 GiB)")
                .append(" besides its slots, our server reuses what its slots hold\n\n");

        b.append("## Figures\n\n");
        b.append("| figure | ").append(r.ours().server()).append(" | llama-server | ratio |\n|---|---:|---:|---:|\n");
        Optional<PeerFigures> peer = Optional.ofNullable(r.peer());
        row(b, r, "single stream: time to first token (ms), ~" + o.promptTokens() + "-token prompt",
                PeerFigures::singleTtftMs, 0);
        row(b, r, "single stream: prompt tokens/s", PeerFigures::singlePromptTps, 1);
        row(b, r, "single stream: decode tokens/s, " + o.tokens() + " tokens", PeerFigures::singleDecodeTps, 1);
        row(b, r, "latency probe: time to first token (ms), " + Options.PROBE_PROMPT_TOKENS + "-token prompt, 1 token",
                PeerFigures::probeTtftMs, 1);
        row(b, r, "… prompt tokens the server processed (the rest came from its cache)",
                PeerFigures::probeProcessedTokens, 0);
        row(b, r, "… the server's own prompt time, as it reports it (ms)", PeerFigures::probeServerPromptMs, 1);
        row(b, r, "… time to first token outside it: the overhead (ms)", PeerFigures::probeOverheadMs, 1);
        for (int streams : o.concurrency()) {
            row(b, r, streams + (streams == 1 ? " stream" : " streams") + ": aggregate tokens/s",
                    f -> f.level(streams).map(ConcurrencyLevel::aggregate).orElse(Summary.EMPTY), 1);
            b.append("| ").append(streams).append(streams == 1 ? " stream" : " streams")
                    .append(": time to first token p50 / p99 (ms) | ").append(percentiles(r.ours(), streams))
                    .append(" | ").append(peer.map(p -> percentiles(p, streams)).orElse("skipped")).append(" | |\n");
        }
        row(b, r, "a ~" + PeerOptions.SHORT_PROMPT + "-token request while another slot processes a ~" + o.longPrompt()
                + "-token prompt: its time to first token (ms)", PeerFigures::shortTtftMs, 0);
        row(b, r, "… the long prompt's own time to first token (ms)", PeerFigures::longTtftMs, 0);
        b.append("| … the short request's first token came before the long one's | ").append(r.ours().duringText())
                .append(" | ").append(peer.map(PeerFigures::duringText).orElse("skipped")).append(" | |\n");
        row(b, r, "a ~" + o.repeatPrompt() + "-token prompt: time to first token (ms)", PeerFigures::repeatFirstMs, 0);
        row(b, r, "… again with its last line changed (ms)", PeerFigures::repeatSecondMs, 0);
        b.append("| … second over first | ").append(percents(r.ours().repeatRatio())).append(" | ")
                .append(peer.map(p -> percents(p.repeatRatio())).orElse("skipped")).append(" | |\n");
        b.append("| … prompt tokens of the second taken from the cache | ").append(cached(r.ours())).append(" | ")
                .append(peer.map(PeerRenderer::cached).orElse("skipped")).append(" | |\n");
        b.append("\nChart: `peer-concurrency.png` (aggregate tokens/s and time to first token p50/p99 against")
                .append(" concurrent streams, both servers).\n");

        split(b, r);

        b.append("\n## Targets (issue 13; reported, not asserted)\n\n");
        b.append("| target | measured (ours vs llama-server) | goal | result |\n|---|---|---|---|\n");
        for (Targets.Target t : PeerTargets.evaluate(r)) {
            b.append("| ").append(t.name()).append(" | ").append(t.measured()).append(" | ").append(t.goal())
                    .append(" | ").append(PeerTargets.verdict(t.met())).append(" |\n");
        }

        List<String> notes = new java.util.ArrayList<>(r.notes());
        List<PeerFigures> all = new java.util.ArrayList<>(List.of(r.ours(), r.raw()));
        peer.ifPresent(all::add);
        if (r.rawPrebuilt() != null) {
            all.add(r.rawPrebuilt());
        }
        for (PeerFigures f : all) {
            if (f.error() != null) {
                notes.add(f.server() + " failed, and was not measured further: " + f.error());
            }
        }
        if (!notes.isEmpty()) {
            b.append("\n## Notes\n\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        b.append("\nOptions: ").append(PeerBench.optionsLine(o)).append('\n');
        return b.toString();
    }

    /** The single-stream decode gap, split by the raw loop into the native side and our server's overhead. */
    private static void split(StringBuilder b, PeerReport r) {
        PeerOptions o = r.options();
        b.append("\n## Where the single-stream decode gap is\n\n");
        b.append("The raw loop (d) is the ffm engine's minimal C-API loop (`ReferenceLoop`: prompt in batches, then one")
                .append(" token per `llama_decode`, the engine's greedy sampler chain) in a JVM of its own, on the same")
                .append(" libraries, model and threads as our server, with no scheduler, worker process or HTTP; it runs")
                .append(" the single-stream and latency-probe workloads in turn with the servers.\n\n");
        b.append("| single stream, ").append(o.tokens()).append(" tokens | decode ms per token | decode tokens/s")
                .append(" | latency probe TTFT (ms) |\n|---|---:|---:|---:|\n");
        List<PeerFigures> paths = new java.util.ArrayList<>();
        if (r.peer() != null) {
            paths.add(r.peer());
        }
        paths.add(r.raw());
        if (r.rawPrebuilt() != null) {
            paths.add(r.rawPrebuilt());
        }
        paths.add(r.ours());
        for (PeerFigures f : paths) {
            b.append("| ").append(f.server()).append(" | ").append(range(f.singleDecodeMsPerToken(), 2)).append(" | ")
                    .append(range(f.singleDecodeTps(), 1)).append(" | ").append(range(f.probeTtftMs(), 1)).append(" |\n");
        }
        DecodeSplit s = DecodeSplit.of(r.ours(), r.raw(), r.peer());
        b.append('\n');
        b.append("- raw loop − llama-server: ").append(signedMs(s.nativeMs())).append(" per token")
                .append(share(s, s.nativeMs())).append(": the native code's build")
                .append(r.natives().kind() == PeerNatives.Kind.SAME_BUILD ? " (none here: both ran the same build)" : "")
                .append(", the loops and the samplers\n");
        b.append("- ours over HTTP − raw loop: ").append(signedMs(s.serverMs())).append(" per token")
                .append(share(s, s.serverMs())).append(": our server's overhead (scheduler, worker process, event")
                .append(" stream, HTTP)\n");
        b.append("- ours over HTTP − llama-server: ").append(signedMs(s.totalMs())).append(" per token\n");
        if (r.rawPrebuilt() != null) {
            double build = r.rawPrebuilt().singleDecodeMsPerToken().median() - s.rawMs();
            b.append("- raw loop on the prebuilt natives − raw loop on ").append(r.natives().kind().text()).append(": ")
                    .append(signedMs(build)).append(" per token: what the build of the native code alone changes")
                    .append(" (the prebuilt natives' CPU variant chosen at run time against this build)\n");
        }
    }

    private static String signedMs(double ms) {
        return Double.isNaN(ms) ? "n/a" : (ms >= 0 ? "+" : "−") + fmt(Math.abs(ms), 2) + " ms";
    }

    private static String share(DecodeSplit s, double part) {
        double percent = s.shareOfGap(part);
        return Double.isNaN(percent) ? "" : " (" + fmt(percent, 0) + "% of the gap)";
    }

    private static void row(StringBuilder b, PeerReport r, String name, Function<PeerFigures, Summary> figure,
                            int decimals) {
        Summary ours = figure.apply(r.ours());
        Summary peer = r.peer() == null ? null : figure.apply(r.peer());
        b.append("| ").append(name).append(" | ").append(range(ours, decimals)).append(" | ")
                .append(peer == null ? "skipped" : range(peer, decimals)).append(" | ")
                .append(peer == null ? "" : fmt(Stats.ratio(ours.median(), peer.median()), 2) + "×").append(" |\n");
    }

    private static String percentiles(PeerFigures f, int streams) {
        return f.level(streams).map(l -> fmt(l.ttftMs().median(), 0) + " / " + fmt(l.ttftMs().p99(), 0)).orElse("n/a");
    }

    private static String percents(Summary s) {
        return s.isEmpty() ? "n/a" : fmt(s.median() * 100, 1) + "% [" + fmt(s.min() * 100, 1) + "–"
                + fmt(s.max() * 100, 1) + "%]";
    }

    private static String cached(PeerFigures f) {
        List<Integer> cached = f.repeats().stream().map(PeerFigures.Repeat::cachedTokens).toList();
        if (cached.isEmpty()) {
            return "n/a";
        }
        if (cached.stream().allMatch(c -> c < 0)) {
            return "not reported";
        }
        return String.join(", ", cached.stream().map(c -> c < 0 ? "?" : String.valueOf(c)).toList()) + " of "
                + f.repeats().getFirst().promptTokens();
    }
}
