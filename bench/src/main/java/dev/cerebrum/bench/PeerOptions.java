package dev.cerebrum.bench;

import dev.cerebrum.gguf.ModelShape;

import java.nio.file.Path;
import java.util.List;

import static dev.cerebrum.bench.Options.integer;
import static dev.cerebrum.bench.Options.list;
import static dev.cerebrum.bench.Options.positive;
import static dev.cerebrum.bench.Options.value;

/**
 * What the peer comparison ({@code --peer}) measures: the ffm engine over HTTP against llama-server built from
 * the same pinned llama.cpp, on one model with the same threads, slots, context and prompts.
 *
 * @param threads       threads of both servers (generation and prompt)
 * @param slots         parallel slots of both servers
 * @param tokens        tokens generated per stream
 * @param repetitions   measured runs per figure (after three warm-up runs of 256 tokens per server)
 * @param promptTokens  prompt length of the single-stream figures, about
 * @param concurrency   stream counts of the concurrency figures
 * @param streamPrompt  prompt length of each concurrent stream, about
 * @param longPrompt    the long prompt that another slot processes while a short request arrives, about
 * @param repeatPrompt  the prompt that is sent twice with a changed last line, about
 * @param probeRuns     runs of the latency probe (a short prompt, one token)
 * @param outDir        where the report, the chart and the logs go
 * @param model         the model file
 * @param modelGiven    the model was named with --model: used as it is, never written
 * @param nativesChoice which llama.cpp libraries the ffm engine runs on
 * @param natives       the folder given with {@code --natives DIR}, else the prebuilt natives (the fallback when
 *                      there is no shared build beside llama-server)
 * @param llamaServer   a llama-server binary to use instead of the one the build script makes, or null
 * @param quick         a smoke run: shorter prompts, fewer runs
 * @param engine        the engine of our server's model: {@code ffm} or {@code ffm-inprocess}
 */
record PeerOptions(int threads, int slots, int tokens, int repetitions, int promptTokens, List<Integer> concurrency,
                   int streamPrompt, int longPrompt, int repeatPrompt, int probeRuns, Path outDir, Path model,
                   boolean modelGiven, NativesChoice nativesChoice, Path natives, Path llamaServer, boolean quick,
                   String engine) {

    /** Which llama.cpp libraries the ffm engine (our server and the raw loop) runs on. */
    enum NativesChoice {
        /** The shared libraries built with llama-server, beside its binary (the default): identical native code. */
        SAME_AS_PEER,
        /** The prebuilt natives: CEREBRUM_LLAMA_NATIVES_DIR, else the cache fetch-natives.sh fills. */
        PREBUILT,
        /** A folder given with {@code --natives DIR}. */
        GIVEN
    }

    /** The engines our server can run the model on here: the two on the current llama.cpp. */
    static final List<String> ENGINES = List.of("ffm", "ffm-inprocess");

    /** The flag that selects the peer comparison. */
    static final String FLAG = "--peer";
    /** A small llama shape (about 0.2 B parameters): prompts of thousands of tokens take seconds on 2 cores. */
    static final ModelShape MODEL_SHAPE = new ModelShape(12, 1024, 2816, 16, 4, 32000, 16384);
    static final String MODEL_FILE_NAME = "llama-12x1024-random-q4_0.gguf";
    /** The short request of the long-prompt figure: its prompt, about, and when it is sent after the long one. */
    static final int SHORT_PROMPT = 16;
    static final int SHORT_DELAY_MS = 300;
    /** Tokens of the long-prompt and repeated-prompt requests: only their first token is timed. */
    static final int FEW_TOKENS = 8;
    /** The changed last line of the repeated prompt, in letters. */
    static final int LAST_LINE_LETTERS = 8;

    static final String USAGE = """
            Usage: ./cerebrum bench --peer [options]

            Compares the ffm engine over HTTP (the server in a child JVM) with llama-server built from the same
            pinned llama.cpp (bench/peer/build-llama-server.sh builds it once: npm, git, cmake and a C++ compiler;
            without them the peer is skipped with a message). Both run side by side on loopback on one random-weight
            model (%s, written once to OUT/models), with the same threads, slots, context and prompts,
            timed by the same client code (greedy, end of sequence ignored, equal token counts). By default the
            ffm engine runs on the shared llama.cpp libraries built with llama-server, so both run identical native
            code. Measures the single stream (time to first token, prompt and decode tokens/s; also for the raw
            C-API loop of the ffm engine, without server), concurrent streams (aggregate tokens/s,
            TTFT p50/p99), a short request while another slot processes a long prompt, and a repeated long prompt
            with a changed last line; prints the issue's targets with PASS/MISS.
            Writes OUT/peer-report.md and OUT/peer-concurrency.png; logs go to OUT/peer-run.

              --threads N          threads of both servers (default: 2, at most the processors)
              --slots N            parallel slots of both servers (default 4)
              --tokens N           tokens generated per stream (default 64)
              --reps N             measured runs per figure, after 3 warm-up runs of 256 tokens (default 5)
              --prompt-tokens N    single-stream prompt, about (default 512)
              --concurrency LIST   concurrent streams (default 1,2,4)
              --stream-prompt N    prompt of each concurrent stream, about (default 64)
              --long-prompt N      the long prompt another slot processes (default 2000)
              --repeat-prompt N    the prompt sent twice with a changed last line (default 1000)
              --probe-runs N       latency probe runs: a %d-token prompt, one token (default 20)
              --out DIR            output folder (default bench-results)
              --model FILE         use this llama-architecture GGUF model as it is
              --natives same       the ffm engine runs on the libraries built with llama-server (the default; the
                                   prebuilt natives when there is no such build)
              --natives prebuilt   ... on the prebuilt natives: CEREBRUM_LLAMA_NATIVES_DIR, else the cache
                                   engine-ffm/natives/fetch-natives.sh fills
              --natives DIR        ... on the llama.cpp libraries in DIR
              --engine NAME        the engine of our server's model: ffm (worker processes, the default) or
                                   ffm-inprocess (in the server's process)
              --llama-server FILE  this llama-server binary instead of building one
              --quick              smoke run: --reps 1 --prompt-tokens 128 --long-prompt 512 --repeat-prompt 256
                                   --probe-runs 3 --tokens 16 (options after it still apply)
              --help               this text
            """.formatted(MODEL_FILE_NAME, Options.PROBE_PROMPT_TOKENS);

    PeerOptions {
        concurrency = List.copyOf(concurrency);
        positive("--threads", threads, 1);
        positive("--slots", slots, 1);
        positive("--tokens", tokens, 2);
        positive("--reps", repetitions, 1);
        positive("--prompt-tokens", promptTokens, 8);
        positive("--stream-prompt", streamPrompt, 8);
        positive("--long-prompt", longPrompt, 64);
        positive("--repeat-prompt", repeatPrompt, 64);
        positive("--probe-runs", probeRuns, 1);
        if (concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1 || c > 64)) {
            throw new IllegalArgumentException("--concurrency must list stream counts from 1 to 64");
        }
        if (!ENGINES.contains(engine)) {
            throw new IllegalArgumentException("--engine must be one of " + String.join(", ", ENGINES));
        }
        if (slots < 2) {
            throw new IllegalArgumentException("--slots must be at least 2: the long-prompt figure needs two slots");
        }
    }

    /** Parses the options after {@code --peer}; throws {@link IllegalArgumentException} with a message for the user. */
    static PeerOptions parse(List<String> args) {
        boolean quick = args.contains("--quick");
        int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        int slots = 4;
        int tokens = quick ? 16 : 64;
        int reps = quick ? 1 : 5;
        int promptTokens = quick ? 128 : 512;
        List<Integer> concurrency = List.of(1, 2, 4);
        int streamPrompt = 64;
        int longPrompt = quick ? 512 : 2000;
        int repeatPrompt = quick ? 256 : 1000;
        int probeRuns = quick ? 3 : 20;
        Path out = Path.of("bench-results");
        Path model = null;
        Path llamaServer = null;
        String engine = "ffm";
        Path prebuilt = Options.defaultNatives();
        Path natives = prebuilt;
        NativesChoice nativesChoice = NativesChoice.SAME_AS_PEER;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case FLAG, "--quick" -> { }
                case "--threads" -> threads = integer(a, value(args, ++i, a));
                case "--slots" -> slots = integer(a, value(args, ++i, a));
                case "--tokens" -> tokens = integer(a, value(args, ++i, a));
                case "--reps" -> reps = integer(a, value(args, ++i, a));
                case "--prompt-tokens" -> promptTokens = integer(a, value(args, ++i, a));
                case "--concurrency" -> concurrency = list(a, value(args, ++i, a));
                case "--stream-prompt" -> streamPrompt = integer(a, value(args, ++i, a));
                case "--long-prompt" -> longPrompt = integer(a, value(args, ++i, a));
                case "--repeat-prompt" -> repeatPrompt = integer(a, value(args, ++i, a));
                case "--probe-runs" -> probeRuns = integer(a, value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--model" -> model = Path.of(value(args, ++i, a));
                case "--natives" -> {
                    String v = value(args, ++i, a);
                    switch (v) {
                        case "same" -> {
                            nativesChoice = NativesChoice.SAME_AS_PEER;
                            natives = prebuilt;
                        }
                        case "prebuilt" -> {
                            nativesChoice = NativesChoice.PREBUILT;
                            natives = prebuilt;
                        }
                        default -> {
                            nativesChoice = NativesChoice.GIVEN;
                            natives = Path.of(v);
                        }
                    }
                }
                case "--llama-server" -> llamaServer = Path.of(value(args, ++i, a));
                case "--engine" -> engine = value(args, ++i, a);
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (see --peer --help)");
            }
        }
        return new PeerOptions(threads, slots, tokens, reps, promptTokens, concurrency, streamPrompt, longPrompt,
                repeatPrompt, probeRuns, out, model != null ? model : out.resolve("models").resolve(MODEL_FILE_NAME),
                model != null, nativesChoice, natives.toAbsolutePath().normalize(),
                llamaServer != null ? llamaServer.toAbsolutePath().normalize() : null, quick, engine);
    }

    /** Total context of both servers: every slot holds the longest prompt, the tokens and a margin. */
    int context() {
        int longest = Math.max(Math.max(promptTokens, longPrompt), Math.max(repeatPrompt, streamPrompt));
        int perSlot = (longest + tokens + 64 + 255) / 256 * 256;
        return slots * perSlot;
    }
}
