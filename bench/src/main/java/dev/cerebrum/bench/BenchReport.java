package dev.cerebrum.bench;

import java.util.List;

/**
 * Everything one run measured.
 *
 * @param startedAt               when the run started (ISO-8601)
 * @param machine                 where it ran
 * @param options                 what it measured
 * @param model                   the model file
 * @param promptTokens            prompt tokens of the comparison, as the engine counted them
 * @param concurrencyPromptTokens prompt tokens of each concurrent stream
 * @param comparisons             the three paths, per thread count
 * @param trapCheck               (a) with the binding's default native warm-up at the largest thread count, or null
 * @param concurrency             the concurrency levels
 * @param memory                  memory figures
 * @param coldStart               cold starts
 * @param phases                  each phase, in order, with the CPU other processes took meanwhile
 * @param totalSeconds            wall time of the whole run
 * @param loadAverageEnd          the load average when the run ended
 * @param notes                   anything the reader should know (failures, short runs)
 */
record BenchReport(String startedAt, Machine machine, Options options, ModelFile model, int promptTokens,
                   int concurrencyPromptTokens, List<Comparison> comparisons, PathResult trapCheck,
                   List<ConcurrencyLevel> concurrency,
                   MemoryResult memory, ColdStart coldStart, List<Phase> phases, double totalSeconds,
                   String loadAverageEnd, List<String> notes) {

    BenchReport {
        comparisons = List.copyOf(comparisons);
        concurrency = List.copyOf(concurrency);
        phases = List.copyOf(phases);
        notes = List.copyOf(notes);
    }
}
