package dev.cerebrum.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The three paths at one thread count, on the same model, prompt and token count.
 *
 * @param threads threads of all three
 * @param raw     (a) de.kherud:llama in-process, the reference
 * @param spi     (b) the engine SPI and its worker process
 * @param http    (c) HTTP streaming through the client
 */
record Comparison(int threads, PathResult raw, PathResult spi, PathResult http) {

    /** Median decode tokens/s of {@code path} over the reference's. */
    double decodeRatio(PathResult path) {
        return Stats.ratio(path.decodeTokensPerSecond().median(), raw.decodeTokensPerSecond().median());
    }

    /** Median prompt tokens/s of {@code path} over the reference's. */
    double promptRatio(PathResult path) {
        return Stats.ratio(path.promptTokensPerSecond().median(), raw.promptTokensPerSecond().median());
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
        return paired(path, RunSample::decodeTokensPerSecond);
    }

    /** The median over repetitions of {@code path}'s prompt rate over the reference's in the same repetition. */
    double pairedPromptRatio(PathResult path) {
        return paired(path, RunSample::promptTokensPerSecond);
    }

    private double paired(PathResult path, java.util.function.ToDoubleFunction<RunSample> f) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(path.runs().size(), raw.runs().size()); i++) {
            ratios.add(Stats.ratio(f.applyAsDouble(path.runs().get(i)), f.applyAsDouble(raw.runs().get(i))));
        }
        return Stats.median(ratios);
    }

    /** The best decode rate of {@code path} over the reference's best: robust to other work on the machine. */
    double bestDecodeRatio(PathResult path) {
        return Stats.ratio(path.decodeTokensPerSecond().max(), raw.decodeTokensPerSecond().max());
    }

    /** The best prompt rate of {@code path} over the reference's best. */
    double bestPromptRatio(PathResult path) {
        return Stats.ratio(path.promptTokensPerSecond().max(), raw.promptTokensPerSecond().max());
    }

    /** The shortest time to first token of {@code path} minus the reference's shortest, in ms. */
    double bestTtftOverheadMs(PathResult path) {
        return path.ttftMs().min() - raw.ttftMs().min();
    }

    /** The latency probe's median time to first token of {@code path} minus the reference's, in ms. */
    double probeOverheadMs(PathResult path) {
        return path.probeTtftMs().median() - raw.probeTtftMs().median();
    }

    /** Median time to first token of {@code path} minus the reference's, in ms. */
    double ttftOverheadMs(PathResult path) {
        return path.ttftMs().median() - raw.ttftMs().median();
    }
}
