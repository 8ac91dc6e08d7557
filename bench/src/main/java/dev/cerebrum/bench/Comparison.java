package dev.cerebrum.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The paths at one thread count, on the same model, prompt and token count: the java-llama.cpp engine's three
 * against its raw reference (a), and the ffm engine over HTTP (e) against its raw reference (d). The ratio
 * methods without a reference argument compare with (a).
 *
 * @param threads threads of all paths
 * @param raw     (a) de.kherud:llama in-process (llama.cpp b4916), the java-llama.cpp engine's reference
 * @param spi     (b) the java-llama.cpp engine's SPI and its worker process
 * @param http    (c) HTTP streaming through the client to the java-llama.cpp engine
 * @param ffmRaw  (d) the minimal C-API loop on the current llama.cpp, the ffm engine's reference
 * @param ffmHttp (e) HTTP streaming through the client to the ffm engine
 */
record Comparison(int threads, PathResult raw, PathResult spi, PathResult http, PathResult ffmRaw,
                  PathResult ffmHttp) {

    /** The paths in the order of the report. */
    java.util.List<PathResult> paths() {
        return java.util.List.of(raw, spi, http, ffmRaw, ffmHttp);
    }

    /** Median decode tokens/s of {@code path} over the reference's. */
    double decodeRatio(PathResult path) {
        return decodeRatio(path, raw);
    }

    /** Median decode tokens/s of {@code path} over {@code reference}'s. */
    double decodeRatio(PathResult path, PathResult reference) {
        return Stats.ratio(path.decodeTokensPerSecond().median(), reference.decodeTokensPerSecond().median());
    }

    /** Median prompt tokens/s of {@code path} over the reference's. */
    double promptRatio(PathResult path) {
        return promptRatio(path, raw);
    }

    /** Median prompt tokens/s of {@code path} over {@code reference}'s. */
    double promptRatio(PathResult path, PathResult reference) {
        return Stats.ratio(path.promptTokensPerSecond().median(), reference.promptTokensPerSecond().median());
    }

    /** Median time to first token of {@code path} over the reference's. */
    double ttftRatio(PathResult path) {
        return Stats.ratio(path.ttftMs().median(), raw.ttftMs().median());
    }

    /**
     * The median over repetitions of {@code path}'s decode rate over the reference's in the same repetition. The
     * paths of a repetition run back to back, so a slow spell of the machine cancels out.
     */
    double pairedDecodeRatio(PathResult path) {
        return pairedDecodeRatio(path, raw);
    }

    /** The paired decode ratio of {@code path} to {@code reference}. */
    double pairedDecodeRatio(PathResult path, PathResult reference) {
        return paired(path, reference, RunSample::decodeTokensPerSecond);
    }

    /** The median over repetitions of {@code path}'s prompt rate over the reference's in the same repetition. */
    double pairedPromptRatio(PathResult path) {
        return pairedPromptRatio(path, raw);
    }

    /** The paired prompt ratio of {@code path} to {@code reference}. */
    double pairedPromptRatio(PathResult path, PathResult reference) {
        return paired(path, reference, RunSample::promptTokensPerSecond);
    }

    private static double paired(PathResult path, PathResult reference, java.util.function.ToDoubleFunction<RunSample> f) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(path.runs().size(), reference.runs().size()); i++) {
            ratios.add(Stats.ratio(f.applyAsDouble(path.runs().get(i)), f.applyAsDouble(reference.runs().get(i))));
        }
        return Stats.median(ratios);
    }

    /** The best decode rate of {@code path} over the reference's best: robust to other work on the machine. */
    double bestDecodeRatio(PathResult path) {
        return bestDecodeRatio(path, raw);
    }

    /** The best decode rate of {@code path} over {@code reference}'s best. */
    double bestDecodeRatio(PathResult path, PathResult reference) {
        return Stats.ratio(path.decodeTokensPerSecond().max(), reference.decodeTokensPerSecond().max());
    }

    /** The best prompt rate of {@code path} over the reference's best. */
    double bestPromptRatio(PathResult path) {
        return bestPromptRatio(path, raw);
    }

    /** The best prompt rate of {@code path} over {@code reference}'s best. */
    double bestPromptRatio(PathResult path, PathResult reference) {
        return Stats.ratio(path.promptTokensPerSecond().max(), reference.promptTokensPerSecond().max());
    }

    /** The shortest time to first token of {@code path} minus the reference's shortest, in ms. */
    double bestTtftOverheadMs(PathResult path) {
        return path.ttftMs().min() - raw.ttftMs().min();
    }

    /** The latency probe's median time to first token of {@code path} minus the reference's, in ms. */
    double probeOverheadMs(PathResult path) {
        return probeOverheadMs(path, raw);
    }

    /** The latency probe's median time to first token of {@code path} minus {@code reference}'s, in ms. */
    double probeOverheadMs(PathResult path, PathResult reference) {
        return path.probeTtftMs().median() - reference.probeTtftMs().median();
    }

    /** Median time to first token of {@code path} minus the reference's, in ms. */
    double ttftOverheadMs(PathResult path) {
        return path.ttftMs().median() - raw.ttftMs().median();
    }
}
