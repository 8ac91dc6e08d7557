package dev.cerebrum.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one benchmark run measures.
 *
 * @param threads                 thread counts of the single-stream comparison
 * @param tokens                  tokens generated per run
 * @param repetitions             measured runs per figure (after one warm-up run)
 * @param promptTokens            prompt length of the single-stream comparison, in tokens
 * @param concurrency             stream counts of the concurrency test
 * @param slots                   parallel slots of the concurrency model
 * @param concurrencyThreads      threads of the concurrency model
 * @param concurrencyPromptTokens prompt length of each concurrent stream, about
 * @param probeRuns               runs per path of the latency probe (short prompt, one token), 0 for none
 * @param probePromptTokens       the latency probe's prompt length, about
 * @param coldStarts              cold starts measured
 * @param outDir                  where the report, the chart, the logs and the model go
 * @param model                   the model file
 * @param modelGiven              the model was named with --model: it is used as it is, never written
 * @param quick                   a smoke run: small prompt, few tokens, one repetition
 * @param natives                 the folder of the ffm engine's llama.cpp libraries
 */
record Options(List<Integer> threads, int tokens, int repetitions, int promptTokens, List<Integer> concurrency,
               int slots, int concurrencyThreads, int concurrencyPromptTokens, int probeRuns, int probePromptTokens,
               int coldStarts, Path outDir,
               Path model, boolean modelGiven, boolean quick, Path natives) {

    static final String MODEL_FILE_NAME = "tinyllama-1.1b-shape-random-q4_0.gguf";
    /** The latency probe's prompt: short, so that prompt processing hardly varies and the overhead shows. */
    static final int PROBE_PROMPT_TOKENS = 5;

    static final String USAGE = """
            Usage: java -cp bench/target/cerebrum-bench.jar:bench/target/lib/* dev.cerebrum.bench.Main [options]

            Measures a random-weight TinyLlama-1.1B-shape Q4_0 model (written once to OUT/models/%s,
            about 0.6 GB) five ways: the java-llama.cpp engine (llama.cpp b4916) as (a) raw de.kherud:llama in a
            child JVM, (b) the engine SPI and its worker process, (c) HTTP streaming through the client against the
            server in a child JVM; the ffm engine (the current llama.cpp) as (d) a raw C-API loop through FFM in a
            child JVM and (e) HTTP streaming through the client; then concurrent streams on a model with slots on
            the default engine (against de.kherud:llama in-process), memory, and cold start.
            Writes OUT/report.md, OUT/report.json and OUT/concurrency.png; logs and work files go to OUT/run.

              --threads LIST            thread counts to compare (default 1,2)
              --tokens N                tokens generated per run (default 64)
              --reps N                  measured runs per figure, after one warm-up run (default 3)
              --prompt-tokens N         prompt length of the comparison (default 512)
              --concurrency LIST        concurrent streams (default 1,2,4,8)
              --slots N                 parallel slots of the concurrency model (default 4)
              --concurrency-threads N   threads of the concurrency model (default: the largest of --threads)
              --concurrency-prompt N    prompt tokens of each concurrent stream, about (default 32)
              --probe-runs N            latency probe: runs per path with a short prompt and one token, for the
                                        time-to-first-token overhead (default 10, 0 for none)
              --cold-starts N           cold starts measured (default: --reps)
              --out DIR                 output folder (default bench-results)
              --model FILE              use this GGUF model as it is instead (any llama-architecture model
                                        whose vocabulary spells "a b c" as letters and word boundaries)
              --natives DIR             the ffm engine's llama.cpp libraries (default CEREBRUM_LLAMA_NATIVES_DIR,
                                        else the cache engine-ffm/natives/fetch-natives.sh fills)
              --quick                   smoke run: --threads 2 --tokens 16 --reps 1 --prompt-tokens 128
                                        --probe-runs 3 --cold-starts 1 (options after it still apply)
              --help                    this text

            --peer [options] instead compares the ffm engine over HTTP with llama-server built from the pinned
            llama.cpp source (--peer --help lists its options).
            """.formatted(MODEL_FILE_NAME);

    Options {
        threads = List.copyOf(threads);
        concurrency = List.copyOf(concurrency);
        if (threads.isEmpty() || threads.stream().anyMatch(t -> t < 1 || t > 256)) {
            throw new IllegalArgumentException("--threads must list thread counts from 1 to 256");
        }
        if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1 || c > 256)) {
            throw new IllegalArgumentException("--concurrency must list stream counts from 1 to 256");
        }
        positive("--tokens", tokens, 2);
        positive("--reps", repetitions, 1);
        positive("--prompt-tokens", promptTokens, 8);
        positive("--slots", slots, 1);
        positive("--concurrency-threads", concurrencyThreads, 1);
        positive("--concurrency-prompt", concurrencyPromptTokens, 4);
        positive("--probe-runs", probeRuns, 0);
        positive("--probe-prompt", probePromptTokens, 4);
        positive("--cold-starts", coldStarts, 0);
    }

    /** Parses the command line; throws {@link IllegalArgumentException} with a message for the user. */
    static Options parse(List<String> args) {
        boolean quick = args.contains("--quick");
        List<Integer> threads = quick ? List.of(Math.min(2, Runtime.getRuntime().availableProcessors())) : List.of(1, 2);
        int tokens = quick ? 16 : 64;
        int reps = quick ? 1 : 3;
        int promptTokens = quick ? 128 : 512;
        List<Integer> concurrency = List.of(1, 2, 4, 8);
        int slots = 4;
        Integer concurrencyThreads = null;
        int concurrencyPrompt = 32;
        int probeRuns = quick ? 3 : 10;
        Integer coldStarts = quick ? 1 : null;
        Path out = Path.of("bench-results");
        Path model = null;
        Path natives = defaultNatives();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--quick" -> { }
                case "--threads" -> threads = list(a, value(args, ++i, a));
                case "--tokens" -> tokens = integer(a, value(args, ++i, a));
                case "--reps" -> reps = integer(a, value(args, ++i, a));
                case "--prompt-tokens" -> promptTokens = integer(a, value(args, ++i, a));
                case "--concurrency" -> concurrency = list(a, value(args, ++i, a));
                case "--slots" -> slots = integer(a, value(args, ++i, a));
                case "--concurrency-threads" -> concurrencyThreads = integer(a, value(args, ++i, a));
                case "--concurrency-prompt" -> concurrencyPrompt = integer(a, value(args, ++i, a));
                case "--probe-runs" -> probeRuns = integer(a, value(args, ++i, a));
                case "--cold-starts" -> coldStarts = integer(a, value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--model" -> model = Path.of(value(args, ++i, a));
                case "--natives" -> natives = Path.of(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (see --help)");
            }
        }
        int ct = concurrencyThreads != null ? concurrencyThreads : threads.stream().mapToInt(Integer::intValue).max().orElse(1);
        return new Options(threads, tokens, reps, promptTokens, concurrency, slots, ct, concurrencyPrompt, probeRuns,
                PROBE_PROMPT_TOKENS, coldStarts != null ? coldStarts : reps, out,
                model != null ? model : out.resolve("models").resolve(MODEL_FILE_NAME), model != null, quick,
                natives.toAbsolutePath().normalize());
    }

    /** Total context of the comparison models: one slot holding the prompt, the tokens and a margin. */
    int comparisonContext() {
        return roundUp(promptTokens + tokens + 64, 256);
    }

    /** Total context of the concurrency model: every slot holds a prompt, the tokens and a margin. */
    int concurrencyContext() {
        return slots * roundUp(concurrencyPromptTokens + tokens + 64, 128);
    }

    private static int roundUp(int v, int step) {
        return (v + step - 1) / step * step;
    }

    /** The ffm engine's libraries: {@code CEREBRUM_LLAMA_NATIVES_DIR} when set, else the engine's default folder. */
    static Path defaultNatives() {
        String setting = System.getenv("CEREBRUM_LLAMA_NATIVES_DIR");
        return setting != null && !setting.isBlank() ? Path.of(setting)
                : dev.cerebrum.engine.ffm.FfmEngineProvider.defaultNativesFolder();
    }

    static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    static int integer(String option, String v) {
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, not '" + v + "'");
        }
    }

    static List<Integer> list(String option, String v) {
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(integer(option, part));
            }
        }
        return out;
    }

    static void positive(String option, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", was " + value);
        }
    }
}
