package dev.cerebrum.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.cerebrum.bench.Targets.fmt;

/** Issue 13's benchmark targets on a peer comparison: reported as PASS or MISS, never asserted. */
final class PeerTargets {
    /** Aggregate tokens/s with as many streams as slots over a single stream. */
    static final double CONCURRENCY_GAIN = 1.5;
    /** Time to first token of a short request while another slot processes a long prompt. */
    static final double SHORT_TTFT_MS = 1000;
    /** The repeated prompt's second time to first token over its first. */
    static final double REPEAT_RATIO = 0.10;
    /** Single-stream decode and prompt tokens/s over llama-server's. */
    static final double SPEED_RATIO = 0.97;

    private PeerTargets() {
    }

    /** The stream count of the throughput targets: the slot count when it was measured, else the most streams. */
    static int fullStreams(PeerOptions o) {
        return o.concurrency().contains(o.slots()) ? o.slots()
                : o.concurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    static List<Targets.Target> evaluate(PeerReport r) {
        PeerOptions o = r.options();
        PeerFigures ours = r.ours();
        Optional<PeerFigures> peer = Optional.ofNullable(r.peer());
        int n = fullStreams(o);
        List<Targets.Target> out = new ArrayList<>();

        double aggOurs = aggregate(ours, n);
        double aggPeer = peer.map(p -> aggregate(p, n)).orElse(Double.NaN);
        out.add(versus("aggregate tokens/s, " + n + " streams on " + o.slots() + " slots", aggOurs, aggPeer, 1, true,
                "≥ llama-server's"));

        double gain = Stats.ratio(aggOurs, aggregate(ours, 1));
        double peerGain = peer.map(p -> Stats.ratio(aggregate(p, n), aggregate(p, 1))).orElse(Double.NaN);
        out.add(new Targets.Target("aggregate tokens/s, " + n + " streams over 1 stream", fmt(gain, 2) + "×"
                + (Double.isNaN(peerGain) ? "" : " (llama-server " + fmt(peerGain, 2) + "×)"),
                "≥ " + CONCURRENCY_GAIN + "×", judge(gain, gain >= CONCURRENCY_GAIN)));

        double shortOurs = ours.shortTtftMs().median();
        double shortPeer = peer.map(p -> p.shortTtftMs().median()).orElse(Double.NaN);
        String during = "time to first token of a short request while another slot processes a " + o.longPrompt()
                + "-token prompt, p50";
        out.add(versus(during + " (ms)", shortOurs, shortPeer, 0, false, "≤ llama-server's"));
        out.add(new Targets.Target(during, fmt(shortOurs, 0) + " ms", "≤ " + fmt(SHORT_TTFT_MS, 0) + " ms",
                judge(shortOurs, shortOurs <= SHORT_TTFT_MS)));

        double ratio = ours.repeatRatio().median();
        double peerRatio = peer.map(p -> p.repeatRatio().median()).orElse(Double.NaN);
        out.add(new Targets.Target("a repeated " + o.repeatPrompt() + "-token prompt with a changed last line: time to"
                + " first token, second over first, p50", percent(ratio) + " (" + fmt(ours.repeatSecondMs().median(), 0)
                + " of " + fmt(ours.repeatFirstMs().median(), 0) + " ms" + (Double.isNaN(peerRatio) ? ""
                : "; llama-server " + percent(peerRatio)) + ")", "≤ " + percent(REPEAT_RATIO),
                judge(ratio, ratio <= REPEAT_RATIO)));

        out.add(ratio("single-stream decode tokens/s over HTTP", ours.singleDecodeTps().median(),
                peer.map(p -> p.singleDecodeTps().median()).orElse(Double.NaN),
                peer.map(p -> paired(ours, p, RunSample::decodeTokensPerSecond)).orElse(Double.NaN)));
        out.add(ratio("single-stream prompt tokens/s over HTTP (" + o.promptTokens() + "-token prompt)",
                ours.singlePromptTps().median(), peer.map(p -> p.singlePromptTps().median()).orElse(Double.NaN),
                peer.map(p -> paired(ours, p, RunSample::promptTokensPerSecond)).orElse(Double.NaN)));
        out.add(versus("time to first token overhead: latency probe p50 of the time to first token minus the"
                + " server's own prompt time (" + Options.PROBE_PROMPT_TOKENS + "-token prompt, 1 token) (ms)",
                ours.probeOverheadMs().median(), peer.map(p -> p.probeOverheadMs().median()).orElse(Double.NaN), 1, false,
                "≤ llama-server's"));
        return out;
    }

    /** "PASS", "MISS" or "n/a". */
    static String verdict(Boolean met) {
        return met == null ? "n/a" : met ? "PASS" : "MISS";
    }

    private static Targets.Target versus(String name, double ours, double peer, int decimals, boolean higherIsBetter,
                                         String goal) {
        boolean met = higherIsBetter ? ours >= peer : ours <= peer;
        return new Targets.Target(name, fmt(ours, decimals) + " vs " + fmt(peer, decimals) + " (" + fmt(Stats.ratio(ours,
                peer), 2) + "×)", goal, judge(Stats.ratio(ours, peer), met));
    }

    /** Judged on the ratio of the medians; the paired ratio (see {@link #paired}) is shown beside it. */
    private static Targets.Target ratio(String name, double ours, double peer, double paired) {
        double ratio = Stats.ratio(ours, peer);
        return new Targets.Target(name + ", over llama-server's", fmt(ratio, 3) + " (" + fmt(ours, 1) + " vs "
                + fmt(peer, 1) + "; paired " + fmt(paired, 3) + ")", "≥ " + SPEED_RATIO, judge(ratio, ratio >= SPEED_RATIO));
    }

    /**
     * The median of each repetition's ratio: a repetition's two runs are back to back, so a slow spell of the
     * machine slows both; NaN unless both servers ran every repetition.
     */
    static double paired(PeerFigures ours, PeerFigures peer, java.util.function.ToDoubleFunction<RunSample> figure) {
        if (ours.single().size() != peer.single().size()) {
            return Double.NaN;
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < ours.single().size(); i++) {
            ratios.add(Stats.ratio(figure.applyAsDouble(ours.single().get(i)), figure.applyAsDouble(peer.single().get(i))));
        }
        return Stats.median(ratios);
    }

    private static double aggregate(PeerFigures f, int streams) {
        return f.level(streams).map(l -> l.aggregate().median()).orElse(Double.NaN);
    }

    private static String percent(double ratio) {
        return Double.isNaN(ratio) ? "n/a" : fmt(ratio * 100, 1) + "%";
    }

    private static Boolean judge(double value, boolean met) {
        return Double.isNaN(value) ? null : met;
    }
}
