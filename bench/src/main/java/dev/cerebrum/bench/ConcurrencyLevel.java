package dev.cerebrum.bench;

import java.util.List;

/**
 * Concurrent streams against the model with slots, repeated, through HTTP and, as the reference, through
 * de.kherud:llama in-process with the same slots and threads.
 *
 * @param streams       streams started at once
 * @param aggregateTps  per repetition: completion tokens of all streams over the time until the last ended
 * @param samples       every stream of every repetition
 * @param failedStreams streams that failed
 * @param error         the first failure, or null
 * @param rawAggregate  the reference's aggregate per repetition (empty when it did not run)
 * @param rawSamples    the reference's generations
 */
record ConcurrencyLevel(int streams, List<Double> aggregateTps, List<RunSample> samples, int failedStreams,
                        String error, List<Double> rawAggregate, List<RunSample> rawSamples) {

    ConcurrencyLevel {
        aggregateTps = List.copyOf(aggregateTps);
        samples = List.copyOf(samples);
        rawAggregate = List.copyOf(rawAggregate);
        rawSamples = List.copyOf(rawSamples);
    }

    ConcurrencyLevel(int streams, List<Double> aggregateTps, List<RunSample> samples, int failedStreams, String error) {
        this(streams, aggregateTps, samples, failedStreams, error, List.of(), List.of());
    }

    Summary aggregate() {
        return Stats.summarize(aggregateTps);
    }

    Summary rawAggregateSummary() {
        return Stats.summarize(rawAggregate);
    }

    /** Time to first token as the client saw it (queue wait included): median is p50. */
    Summary ttftMs() {
        return Stats.summarize(samples.stream().map(RunSample::ttftMs).toList());
    }

    /** The reference's time to first token (its wait for a slot included). */
    Summary rawTtftMs() {
        return Stats.summarize(rawSamples.stream().map(RunSample::ttftMs).toList());
    }

    /** The server's timings.queue_ms of each stream's done event. */
    Summary queueMs() {
        return Stats.summarize(samples.stream().map(RunSample::queueMs).toList());
    }

    /** Each stream's own decode rate. */
    Summary perStreamDecode() {
        return Stats.summarize(samples.stream().map(RunSample::decodeTokensPerSecond).toList());
    }
}
