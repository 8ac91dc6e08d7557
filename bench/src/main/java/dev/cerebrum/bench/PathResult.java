package dev.cerebrum.bench;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The single-stream runs of one path at one thread count.
 *
 * @param path          {@code raw}, {@code spi} or {@code http}
 * @param threads       generation and prompt threads
 * @param loadMs        how long loading the model took, NaN when unknown
 * @param residentBytes resident memory of the process holding the model after the runs, -1 when unknown
 * @param runs          the measured runs (warm-up excluded)
 * @param error         why the path failed, or null
 * @param probes        the latency probe's runs: a short prompt, one token
 */
record PathResult(String path, int threads, double loadMs, long residentBytes, List<RunSample> runs, String error,
                  List<RunSample> probes) {

    PathResult {
        runs = List.copyOf(runs);
        probes = List.copyOf(probes);
    }

    PathResult(String path, int threads, double loadMs, long residentBytes, List<RunSample> runs, String error) {
        this(path, threads, loadMs, residentBytes, runs, error, List.of());
    }

    /** A path that could not be measured. */
    static PathResult failed(String path, int threads, String error) {
        return new PathResult(path, threads, Double.NaN, -1, List.of(), error);
    }

    /** The latency probe's time to first token. */
    Summary probeTtftMs() {
        return Stats.summarize(probes.stream().map(RunSample::ttftMs).toList());
    }

    Summary ttftMs() {
        return summary(RunSample::ttftMs);
    }

    Summary decodeTokensPerSecond() {
        return summary(RunSample::decodeTokensPerSecond);
    }

    Summary promptTokensPerSecond() {
        return summary(RunSample::promptTokensPerSecond);
    }

    /** CPU time of the processes around the model's per generated token, in ms. */
    Summary hostCpuMsPerToken() {
        return summary(r -> r.completionTokens() > 0 ? r.hostCpuMs() / r.completionTokens() : Double.NaN);
    }

    /** The server JVM's CPU time per generated token, in ms (HTTP only). */
    Summary serverCpuMsPerToken() {
        return summary(r -> r.completionTokens() > 0 ? r.serverCpuMs() / r.completionTokens() : Double.NaN);
    }

    /** The prompt tokens of the runs (they are all the same length), or -1. */
    int promptTokens() {
        return runs.isEmpty() ? -1 : runs.getFirst().promptTokens();
    }

    /** Runs that ended before {@code tokens} tokens (end of sequence on a path without ignore_eos). */
    long shortRuns(int tokens) {
        return runs.stream().filter(r -> r.completionTokens() < tokens).count();
    }

    private Summary summary(ToDoubleFunction<RunSample> f) {
        return Stats.summarize(runs.stream().map(r -> f.applyAsDouble(r)).toList());
    }
}
