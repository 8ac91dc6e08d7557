package dev.cerebrum.bench;

import java.util.List;
import java.util.Optional;

/**
 * One server's figures in the peer comparison.
 *
 * @param server       the server's name
 * @param single       the single-stream runs (after the warm-up)
 * @param probes       the latency probe's runs (a short prompt, one token)
 * @param levels       concurrent streams, by stream count
 * @param longPrompt   a short request while another slot processes the long prompt, per repetition
 * @param repeats      the repeated prompt with a changed last line, per repetition
 * @param error        the first failure, after which this server was not measured further; null when none
 */
record PeerFigures(String server, List<RunSample> single, List<Probe> probes, List<ConcurrencyLevel> levels,
                   List<Interference> longPrompt, List<Repeat> repeats, String error) {

    PeerFigures {
        single = List.copyOf(single);
        probes = List.copyOf(probes);
        levels = List.copyOf(levels);
        longPrompt = List.copyOf(longPrompt);
        repeats = List.copyOf(repeats);
    }

    /**
     * One run of the latency probe.
     *
     * @param sample         as the client saw it
     * @param cachedTokens   prompt tokens the server took from its cache instead of processing (-1 when not said)
     * @param serverPromptMs the server's own time for the prompt, up to the first token (NaN when not said)
     */
    record Probe(RunSample sample, int cachedTokens, double serverPromptMs) {
        /** A run of a path that is no server: the raw loop says neither its cache nor its own time. */
        static Probe unreported(RunSample sample) {
            return new Probe(sample, -1, Double.NaN);
        }

        /** The time to first token outside the server's own prompt time: HTTP, queue and hand-offs. */
        double overheadMs() {
            return sample.ttftMs() - serverPromptMs;
        }

        /** The prompt tokens the server processed (NaN when it did not say what it took from its cache). */
        double processedTokens() {
            return cachedTokens < 0 ? Double.NaN : sample.promptTokens() - cachedTokens;
        }
    }

    /**
     * A short request sent while another slot processes a long prompt.
     *
     * @param shortTtftMs the short request's time to first token
     * @param longTtftMs  the long request's time to first token
     * @param during      the short request's first token came before the long one's: it really arrived during
     *                    the long prompt's processing
     */
    record Interference(double shortTtftMs, double longTtftMs, boolean during) {
    }

    /**
     * A long prompt sent twice, the second time with its last line changed.
     *
     * @param firstTtftMs  the first request's time to first token
     * @param secondTtftMs the second's
     * @param promptTokens the prompt's tokens, as the server counted them
     * @param cachedTokens prompt tokens of the second request the server took from its cache (-1 when not said)
     */
    record Repeat(double firstTtftMs, double secondTtftMs, int promptTokens, int cachedTokens) {
        /** Second over first. */
        double ratio() {
            return Stats.ratio(secondTtftMs, firstTtftMs);
        }
    }

    Summary singleTtftMs() {
        return Stats.summarize(single.stream().map(RunSample::ttftMs).toList());
    }

    Summary singlePromptTps() {
        return Stats.summarize(single.stream().map(RunSample::promptTokensPerSecond).toList());
    }

    Summary singleDecodeTps() {
        return Stats.summarize(single.stream().map(RunSample::decodeTokensPerSecond).toList());
    }

    /** Per run: the time from the first token to the last over the tokens after the first, in milliseconds. */
    Summary singleDecodeMsPerToken() {
        return Stats.summarize(single.stream().map(RunSample::decodeTokensPerSecond)
                .map(tps -> tps > 0 ? 1000 / tps : Double.NaN).toList());
    }

    Summary probeTtftMs() {
        return Stats.summarize(probes.stream().map(p -> p.sample().ttftMs()).toList());
    }

    Summary probeServerPromptMs() {
        return Stats.summarize(probes.stream().map(Probe::serverPromptMs).toList());
    }

    Summary probeOverheadMs() {
        return Stats.summarize(probes.stream().map(Probe::overheadMs).toList());
    }

    Summary probeProcessedTokens() {
        return Stats.summarize(probes.stream().map(Probe::processedTokens).toList());
    }

    Summary shortTtftMs() {
        return Stats.summarize(longPrompt.stream().map(Interference::shortTtftMs).toList());
    }

    Summary longTtftMs() {
        return Stats.summarize(longPrompt.stream().map(Interference::longTtftMs).toList());
    }

    /** "2 of 3": how many short requests had their first token before the long request's. */
    String duringText() {
        return longPrompt.isEmpty() ? "n/a"
                : longPrompt.stream().filter(Interference::during).count() + " of " + longPrompt.size();
    }

    Summary repeatFirstMs() {
        return Stats.summarize(repeats.stream().map(Repeat::firstTtftMs).toList());
    }

    Summary repeatSecondMs() {
        return Stats.summarize(repeats.stream().map(Repeat::secondTtftMs).toList());
    }

    Summary repeatRatio() {
        return Stats.summarize(repeats.stream().map(Repeat::ratio).toList());
    }

    /** The prompt tokens the single-stream runs had, as the server counted them (-1 when none ran). */
    int singlePromptTokens() {
        return single.isEmpty() ? -1 : single.getFirst().promptTokens();
    }

    Optional<ConcurrencyLevel> level(int streams) {
        return levels.stream().filter(l -> l.streams() == streams).findFirst();
    }
}
