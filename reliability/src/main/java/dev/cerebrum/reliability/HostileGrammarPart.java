package dev.cerebrum.reliability;

import dev.cerebrum.grammar.testing.GrammarCorpus;
import dev.cerebrum.grammar.testing.WorstGrammars;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hostile grammars, on a real server process with the demo model (two slots):
 * <ul>
 *   <li>every malformed and hostile grammar of the grammar corpus ({@code GrammarCorpus}: the ones that crashed,
 *       stalled or were silently ignored by llama.cpp), sent to {@code /v1/inference} and to
 *       {@code /v1/inference/stream}, gets 400 with {@code field: grammar} and the problem the corpus expects,
 *       each within {@link #QUICKLY};</li>
 *   <li>meanwhile a bystander streams on the same model, one stream after another, and every stream completes with
 *       its known answer; afterwards the model's worker is the same process (no refused grammar reached it);</li>
 *   <li>the worst grammars the validator accepts ({@code WorstGrammars}, one just inside each limit) run and
 *       complete on both endpoints;</li>
 *   <li>while a worst grammar runs on one slot, plain requests sent one after another on the other, free slot are
 *       not delayed by more than {@link #MAX_DELAY} over their time on an idle server (measured and printed).</li>
 * </ul>
 * The full profile sends the refused grammars three times, also runs the valid corpus (llama.cpp's grammars and
 * ours), and measures the delay next to every worst grammar rather than the slowest one only.
 */
final class HostileGrammarPart implements Part {
    private static final String MODEL = "demo";
    /** A refusal must come at least this fast: the validator's limits are there so that nothing takes seconds. */
    static final Duration QUICKLY = Duration.ofSeconds(2);
    /** The bound: a slow grammar does not delay another request on a free slot by more than a second. */
    static final Duration MAX_DELAY = Duration.ofSeconds(1);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int GRAMMAR_TOKENS = 32;

    @Override
    public String name() {
        return "hostile-grammars";
    }

    @Override
    public PartResult run(SuiteContext context) throws Exception {
        long start = System.nanoTime();
        Profile profile = context.profile();
        List<GrammarCorpus.Refused> refused = new ArrayList<>(GrammarCorpus.malformed());
        refused.addAll(GrammarCorpus.hostile());
        Map<String, String> worst = WorstGrammars.all();
        Map<String, String> valid = profile == Profile.FULL ? GrammarCorpus.valid() : Map.of();
        int rounds = profile.pick(1, 3);
        int grammars = refused.size() + worst.size() + valid.size();
        String tried = grammars + " grammars: " + refused.size() + " malformed or hostile (×2 endpoints"
                + (rounds > 1 ? " ×" + rounds : "") + "), " + worst.size() + " at the limits"
                + (valid.isEmpty() ? "" : ", " + valid.size() + " valid");
        List<String> problems = new ArrayList<>();
        try (ServerProcess server = ServerProcess.in(context.folder("grammars"))
                .setting("MAX_CPU_PERCENT", "100")
                .start();
             Calls calls = new Calls(server.base())) {
            context.say("%s against pid %d", tried, server.pid());
            Answer first = calls.infer(Calls.body(MODEL, "abc", 3, Map.of()), WAIT);
            ProcessHandle worker = server.worker(MODEL).orElse(null);
            if (!"def".equals(first.text()) || worker == null) {
                throw new IllegalStateException("the model does not answer before any grammar: " + first.describe());
            }

            // Refused grammars, with a bystander streaming on the same model.
            Bystander bystander = Bystander.start(calls);
            long slowestRefusal = 0;
            int refusals = 0;
            for (int round = 0; round < rounds; round++) {
                for (GrammarCorpus.Refused r : refused) {
                    String body = Calls.body(MODEL, "abc", 4, Map.of("grammar", r.text()));
                    Answer plain = calls.infer(body, WAIT);
                    Answer stream;
                    try (StreamCall s = calls.stream(body)) {
                        stream = s.await(WAIT);
                    }
                    for (Answer a : List.of(plain, stream)) {
                        refusals++;
                        slowestRefusal = Math.max(slowestRefusal, a.millis());
                        String message = String.valueOf(a.field("message"));
                        if (a.status() != 400 || !"grammar".equals(a.field("field"))
                                || !message.contains(r.message())) {
                            problems.add(r.name() + ": " + a.describe() + "; 400 naming grammar and '" + r.message()
                                    + "' was due");
                        } else if (a.millis() > QUICKLY.toMillis()) {
                            problems.add(r.name() + ": refused after " + a.millis() + " ms, beyond "
                                    + QUICKLY.toMillis() + " ms");
                        }
                    }
                }
            }
            bystander.stop();
            problems.addAll(bystander.problems);
            if (bystander.completed.get() == 0) {
                problems.add("no bystander stream completed while the grammars were refused");
            }
            ProcessHandle after = server.worker(MODEL).orElse(null);
            if (after == null || after.pid() != worker.pid()) {
                problems.add("the model's worker changed while grammars were refused: pid " + worker.pid() + ", then "
                        + (after == null ? "none" : after.pid()));
            }
            context.say("%d refusals, the slowest in %d ms; %d bystander streams completed meanwhile, same worker %d",
                    refusals, slowestRefusal, bystander.completed.get(), worker.pid());

            // Accepted grammars: the worst ones (and in the full profile the valid corpus) run and complete.
            Map<String, Long> worstMillis = new LinkedHashMap<>();
            for (Map.Entry<String, String> g : worst.entrySet()) {
                worstMillis.put(g.getKey(), runs(calls, "worst grammar '" + g.getKey() + "'", g.getValue(), true,
                        problems));
            }
            for (Map.Entry<String, String> g : valid.entrySet()) {
                runs(calls, "valid grammar '" + g.getKey() + "'", g.getValue(), false, problems);
            }
            String slowest = worstMillis.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            context.say("the worst grammars ran in %s ms (the slowest: '%s')", worstMillis.values(), slowest);

            // A plain request on the free slot while a worst grammar runs on the other.
            long baseline = baseline(calls);
            long worstDelay = Long.MIN_VALUE;
            String worstDelayed = "";
            List<String> measured = profile == Profile.FULL ? List.copyOf(worst.keySet()) : List.of(slowest);
            for (String name : measured) {
                long delay = delayBeside(calls, worst.get(name), baseline, problems) - baseline;
                if (delay > worstDelay) {
                    worstDelay = delay;
                    worstDelayed = name;
                }
            }
            if (worstDelay > MAX_DELAY.toMillis()) {
                problems.add("a plain request on a free slot was delayed by " + worstDelay + " ms while the grammar '"
                        + worstDelayed + "' ran; at most " + MAX_DELAY.toMillis() + " ms may be");
            }
            context.say("a plain request on the free slot: %d ms alone, at most %+d ms beside a worst grammar ('%s')",
                    baseline, worstDelay, worstDelayed);
            ProcessHandle end = server.worker(MODEL).orElse(null);
            if (end == null || end.pid() != worker.pid()) {
                problems.add("the model's worker changed while the worst grammars ran");
            }
            if (!server.alive()) {
                problems.add("the server process ended");
            }

            String figures = String.format("%d refusals, all 400 naming grammar, the slowest in %d ms; %d bystander"
                            + " streams completed with their known answers, the worker unchanged; %d worst grammars"
                            + " ran (%d–%d ms)%s; a plain request on the free slot took %d ms alone and %d ms more at"
                            + " most beside a worst grammar (bound %,d ms)", refusals, slowestRefusal, bystander.completed.get(),
                    worst.size(), worstMillis.values().stream().mapToLong(Long::longValue).min().orElse(0),
                    worstMillis.values().stream().mapToLong(Long::longValue).max().orElse(0),
                    valid.isEmpty() ? "" : ", " + valid.size() + " valid grammars ran", baseline, worstDelay,
                    MAX_DELAY.toMillis());
            return PartResult.of(name(), tried, figures, problems, Duration.ofNanos(System.nanoTime() - start))
                    .withHeadline(grammars + " grammars tried (" + refused.size() + " refused with 400, "
                            + (worst.size() + valid.size()) + " accepted ran)");
        }
    }

    /** Runs an accepted grammar on both endpoints; both must complete. Returns the slower time in ms. */
    private static long runs(Calls calls, String what, String grammar, boolean withStream, List<String> problems)
            throws InterruptedException {
        String body = Calls.body(MODEL, "abc", GRAMMAR_TOKENS, Map.of("grammar", grammar));
        List<Answer> answers = new ArrayList<>();
        answers.add(calls.infer(body, WAIT));
        if (withStream) {
            try (StreamCall s = calls.stream(body)) {
                answers.add(s.await(WAIT));
            }
        }
        long slowest = 0;
        for (Answer a : answers) {
            slowest = Math.max(slowest, a.millis());
            if (a.kind() != Answer.Kind.RESULT) {
                problems.add(what + ": " + a.describe() + "; it is accepted, so it must complete");
            }
        }
        return slowest;
    }

    /** The median time of a plain request on an idle server. */
    private static long baseline(Calls calls) throws InterruptedException {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            times.add(calls.infer(Calls.body(MODEL, "abc", 3, Map.of()), WAIT).millis());
        }
        return times.stream().sorted().toList().get(times.size() / 2);
    }

    /**
     * Sends a request with the grammar, and plain requests one after another until it has completed (at least
     * one); returns the slowest plain request's time.
     */
    private static long delayBeside(Calls calls, String grammar, long baseline, List<String> problems)
            throws InterruptedException {
        CompletableFuture<Answer> slow = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                slow.complete(calls.infer(Calls.body(MODEL, "abc", GRAMMAR_TOKENS, Map.of("grammar", grammar)), WAIT));
            } catch (InterruptedException e) {
                slow.complete(new Answer(Answer.Kind.NO_ANSWER, 0, "", "", null, 0));
            }
        });
        long slowest = baseline;
        do {
            Answer plain = calls.infer(Calls.body(MODEL, "abc", 3, Map.of()), WAIT);
            if (!"def".equals(plain.text())) {
                problems.add("a plain request beside a worst grammar: " + plain.describe());
            }
            slowest = Math.max(slowest, plain.millis());
        } while (!slow.isDone());
        try {
            Answer a = slow.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (a.kind() != Answer.Kind.RESULT) {
                problems.add("a worst grammar beside plain requests: " + a.describe());
            }
        } catch (ExecutionException | TimeoutException e) {
            problems.add("a worst grammar beside plain requests did not complete");
        }
        return slowest;
    }

    /** Streams with known answers on the model, one after another, until stopped; each must complete with its answer. */
    private static final class Bystander {
        final AtomicInteger completed = new AtomicInteger();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        static Bystander start(Calls calls) {
            Bystander b = new Bystander();
            b.thread = Thread.ofVirtual().name("bystander").start(() -> b.stream(calls));
            return b;
        }

        private void stream(Calls calls) {
            SplittableRandom random = new SplittableRandom(7);
            try {
                while (running.get()) {
                    String prompt = KnownAnswer.prompt(random);
                    int maxTokens = 1 + random.nextInt(8);
                    Answer a;
                    try (StreamCall s = calls.stream(Calls.body(MODEL, prompt, maxTokens, Map.of()))) {
                        a = s.await(WAIT);
                    }
                    String expected = KnownAnswer.of(prompt, maxTokens);
                    if (a.kind() == Answer.Kind.RESULT && expected.equals(a.text())) {
                        completed.incrementAndGet();
                    } else {
                        problems.add("a bystander stream '" + prompt + "': " + a.describe() + ", expected '"
                                + expected + "'");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(WAIT.toMillis());
        }
    }
}
