package dev.cerebrum.reliability;

import dev.cerebrum.config.SettingsTable;
import dev.cerebrum.gguf.SuccessorModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults, on a real server process whose model is the successor model with a long trained context: two slots of
 * 32,768 tokens, so that a stream that ignores end of sequence runs for a minute and more. The watchdog runs with
 * its defaults, the ones the README documents.
 * <ul>
 *   <li><b>SIGKILL</b> of the model's worker mid-stream: the stream ends with an error event, and the next request
 *       is served, with its known answer, by a fresh worker.</li>
 *   <li><b>SIGSTOP</b> of the worker mid-stream, with both slots streaming and two requests waiting: both streams end
 *       with an error event within the documented bound (ping interval + ping timeout + one interval until the
 *       next check, plus slack; the time is printed); the waiting requests are served by a fresh worker or get 503
 *       with {@code Retry-After}, never a hang and never a 500; meanwhile {@code /health} answers every time, and
 *       it and {@code /v1/models} show the model's state.</li>
 *   <li>The model file <b>deleted</b> (503 {@code model_unavailable} with {@code Retry-After} while it is missing)
 *       and <b>restored</b> (served again by the same server process).</li>
 *   <li><b>SIGTERM</b> of the server with streams in flight and requests waiting: each stream gets a final event,
 *       or its connection closes after the server said it is stopping; the process exits within the shutdown
 *       grace plus slack, with the status of a graceful stop; no worker process is left.</li>
 * </ul>
 * Every inference request must get a definite answer ({@link Answer#definite()}): nothing lost.
 */
final class FaultsPart implements Part {
    static final String MODEL = "demo";
    private static final int TRAINED_CONTEXT = 32_768;
    private static final int LONG_TOKENS = 30_000;
    private static final String LONG = Calls.body(MODEL, "a", LONG_TOKENS, Map.of("ignore_eos", true));
    /** Above the documented bounds, for a machine busy with other work. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    /** A request that has not been answered within this is taken for hung. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration GRACE = Duration.ofSeconds(3);
    /** After the grace, the server unloads its models (each worker ends) and the JVM exits. */
    private static final Duration EXIT_SLACK = Duration.ofSeconds(5);
    /** The JVM's exit status after SIGTERM once its shutdown hooks ran: 128 + 15. */
    private static final int GRACEFUL_EXIT = 143;

    @Override
    public String name() {
        return "faults";
    }

    @Override
    public PartResult run(SuiteContext context) throws Exception {
        long start = System.nanoTime();
        Profile p = context.profile();
        List<Kind> plan = new ArrayList<>();
        for (int round = 0; round < p.pick(1, 3); round++) {
            plan.add(Kind.SIGKILL);
            if (round < p.pick(1, 2)) {
                plan.add(Kind.SIGSTOP);
                plan.add(Kind.FILE);
            }
        }
        plan.add(Kind.SIGTERM);
        String tried = plan.size() + " faults: " + counts(plan);

        Path dir = context.folder("faults");
        Path modelFile = writeRegistry(dir);
        Ledger ledger = new Ledger();
        Measured measured = new Measured();
        List<Fault> faults = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(10);
        try (ServerProcess server = ServerProcess.in(dir)
                .setting("MAX_CPU_PERCENT", "100")
                .setting("CEREBRUM_MAX_TOKENS_LIMIT", Integer.toString(LONG_TOKENS))
                .setting("CEREBRUM_SHUTDOWN_GRACE_SECONDS", Long.toString(GRACE.toSeconds()))
                .start();
             Calls calls = new Calls(server.base())) {
            Run run = new Run(server, calls, ledger, measured, random, modelFile);
            context.say("%s against pid %d (watchdog: ping every %d ms, %d ms to answer)", tried, server.pid(),
                    run.pingInterval.toMillis(), run.pingTimeout.toMillis());
            Answer first = ledger.add(calls.infer(run.known("abc", 3).body, WAIT));
            if (!"def".equals(first.text())) {
                throw new IllegalStateException("the model does not answer before any fault: " + first.describe());
            }
            for (Kind kind : plan) {
                Fault fault = new Fault(kind);
                try {
                    switch (kind) {
                        case SIGKILL -> run.sigkill(fault);
                        case SIGSTOP -> run.sigstop(fault);
                        case FILE -> run.deletedAndRestored(fault);
                        case SIGTERM -> run.sigterm(fault);
                    }
                } finally {
                    faults.add(fault);
                }
                context.say("%-8s %s%s", kind.label, fault.held() ? "survived: " : "DID NOT HOLD: ", fault.held()
                        ? fault.figure : String.join("; ", fault.problems));
                if (kind != Kind.SIGTERM) {
                    run.awaitIdle(fault);
                }
            }
        }

        List<String> problems = new ArrayList<>();
        for (Fault f : faults) {
            f.problems.forEach(problem -> problems.add(f.kind.label + ": " + problem));
        }
        problems.addAll(ledger.lost());
        long survived = faults.stream().filter(Fault::held).count();
        String figureLine = String.format("%d of %d faults survived. %s %s.", survived, faults.size(),
                measured.line(), ledger.summary());
        context.say("%s", ledger.summary());
        return PartResult.of(name(), tried, figureLine, problems, Duration.ofNanos(System.nanoTime() - start))
                .withHeadline(String.format("%d of %d faults survived, nothing lost (%d of %d requests answered)",
                        survived, faults.size(), ledger.definite(), ledger.size()));
    }

    /** The successor model with a long trained context, registered with two slots of that whole context each. */
    private static Path writeRegistry(Path dir) throws IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path file = models.resolve(MODEL + ".gguf");
        SuccessorModel.writeWithContext(file, TRAINED_CONTEXT);
        Files.writeString(models.resolve("models.yaml"), """
                models:
                  %s:
                    path: %s
                    ctx_size: %d
                    parallel: 2
                """.formatted(MODEL, file.getFileName(), 2 * TRAINED_CONTEXT));
        return file;
    }

    private static String counts(List<Kind> plan) {
        Map<Kind, Integer> n = new LinkedHashMap<>();
        plan.forEach(k -> n.merge(k, 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        n.forEach((k, c) -> parts.add(k.label + (c > 1 ? " ×" + c : "")));
        return String.join(", ", parts);
    }

    /** The faults, in the words of the table. */
    private enum Kind {
        SIGKILL("SIGKILL"),
        SIGSTOP("SIGSTOP"),
        FILE("file deleted and restored"),
        SIGTERM("SIGTERM");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One fault: what did not hold, and the figure worth printing. */
    private static final class Fault {
        final Kind kind;
        final List<String> problems = new ArrayList<>();
        String figure = "";

        Fault(Kind kind) {
            this.kind = kind;
        }

        /** Notes {@code problem} unless {@code ok}; returns {@code ok}. */
        boolean check(boolean ok, String problem) {
            if (!ok) {
                problems.add(problem);
            }
            return ok;
        }

        boolean held() {
            return problems.isEmpty();
        }
    }

    /** The measurements behind the table's figures, gathered over the faults of each kind. */
    private static final class Measured {
        final List<Long> killEnded = new ArrayList<>();
        final List<Long> killNext = new ArrayList<>();
        final List<Long> stopEnded = new ArrayList<>();
        final List<Long> restored = new ArrayList<>();
        final Set<String> transitions = new java.util.LinkedHashSet<>();
        final Set<String> reasons = new java.util.LinkedHashSet<>();
        long stopBound;
        long stopDocumented;
        int waitingServed;
        int waitingRefused;
        int healthAnswers;
        long slowestHealth;
        String missingReason = "";
        String shutdown = "";

        /** One sentence per kind of fault that ran. */
        String line() {
            List<String> out = new ArrayList<>();
            if (!killEnded.isEmpty()) {
                out.add(String.format("SIGKILL mid-stream: error event %s after the kill, the next request served by"
                        + " a fresh worker (%s).", range(killEnded), range(killNext)));
            }
            if (!stopEnded.isEmpty()) {
                out.add(String.format("SIGSTOP mid-stream: error events %s after the signal (documented bound %,d ms,"
                                + " asserted %,d ms); %d waiting requests served by a fresh worker%s; /health answered"
                                + " %,d times meanwhile (slowest %d ms), the model %s; /v1/models said '%s'.",
                        range(stopEnded), stopDocumented, stopBound, waitingServed,
                        waitingRefused > 0 ? ", " + waitingRefused + " got 503 with Retry-After" : "", healthAnswers,
                        slowestHealth, String.join(" / ", transitions), String.join("' / '", reasons)));
            }
            if (!restored.isEmpty()) {
                out.add(String.format("Model file deleted: 503 model_unavailable (%s); restored: served again"
                        + " (%s), same process.", missingReason, range(restored)));
            }
            if (!shutdown.isEmpty()) {
                out.add("SIGTERM with streams in flight: " + shutdown + ".");
            }
            return String.join(" ", out);
        }

        private static String range(List<Long> millis) {
            long min = millis.stream().mapToLong(Long::longValue).min().orElse(0);
            long max = millis.stream().mapToLong(Long::longValue).max().orElse(0);
            return min == max ? String.format("%,d ms", min) : String.format("%,d–%,d ms", min, max);
        }
    }

    /** Every inference request's answer: nothing may be lost. */
    private static final class Ledger {
        private final List<Answer> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        /** Connections the shutdown closed after the server said it was stopping: allowed, but not an answer. */
        private final AtomicInteger closedByShutdown = new AtomicInteger();

        Answer add(Answer a) {
            answers.add(a);
            return a;
        }

        void closedByShutdown(Answer a) {
            closedByShutdown.incrementAndGet();
            answers.add(a);
        }

        int size() {
            return answers.size();
        }

        long definite() {
            synchronized (answers) {
                return answers.stream().filter(Answer::definite).count();
            }
        }

        List<String> lost() {
            synchronized (answers) {
                long closed = answers.stream().filter(a -> !a.definite()).count();
                if (closed <= closedByShutdown.get()) {
                    return List.of();
                }
                return List.of("lost requests: " + String.join("; ", answers.stream().filter(a -> !a.definite())
                        .map(Answer::describe).toList()));
            }
        }

        String summary() {
            Map<Answer.Kind, Integer> byKind = new java.util.EnumMap<>(Answer.Kind.class);
            synchronized (answers) {
                answers.forEach(a -> byKind.merge(a.kind(), 1, Integer::sum));
            }
            List<String> kinds = new ArrayList<>();
            byKind.forEach((k, n) -> kinds.add(n + " " + switch (k) {
                case RESULT -> "results";
                case ERROR_EVENT -> "error events";
                case REFUSED -> "refusals with a body";
                case CLOSED -> "closed by the shutdown";
                case NO_ANSWER -> "without an answer";
            }));
            return String.format("%d requests, %d definite answers (%s)%s", size(), definite(),
                    String.join(", ", kinds), lost().isEmpty() ? ": nothing lost" : "");
        }
    }

    /** A request body with the answer the model must give. */
    private record Known(String body, String text) {
    }

    /**
     * The model's two slots streaming long generations, and two requests waiting for a slot.
     *
     * @param streams       the long streams
     * @param waitingPlain  the answer of the waiting plain request
     * @param plainKnown    what it must be answered with, when served
     * @param waitingStream the waiting stream
     * @param streamKnown   what it must be answered with, when served
     */
    private record Busy(List<StreamCall> streams, CompletableFuture<Answer> waitingPlain, Known plainKnown,
                        StreamCall waitingStream, Known streamKnown) implements AutoCloseable {
        /** The long streams and the waiting one. */
        List<StreamCall> allStreams() {
            List<StreamCall> all = new ArrayList<>(streams);
            all.add(waitingStream);
            return all;
        }

        @Override
        public void close() {
            allStreams().forEach(StreamCall::close);
        }
    }

    /** The faults against one server. */
    private static final class Run {
        final ServerProcess server;
        final Calls calls;
        final Ledger ledger;
        final Measured measured;
        final SplittableRandom random;
        final Path modelFile;
        final Duration pingInterval;
        final Duration pingTimeout;

        Run(ServerProcess server, Calls calls, Ledger ledger, Measured measured, SplittableRandom random,
            Path modelFile) {
            this.server = server;
            this.calls = calls;
            this.ledger = ledger;
            this.measured = measured;
            this.random = random;
            this.modelFile = modelFile;
            this.pingInterval = SettingsTable.WORKER_PING_INTERVAL.read(server.settings());
            this.pingTimeout = SettingsTable.WORKER_PING_TIMEOUT.read(server.settings());
        }

        Known known(String prompt, int maxTokens) {
            return new Known(Calls.body(MODEL, prompt, maxTokens, Map.of()), KnownAnswer.of(prompt, maxTokens));
        }

        Known anyKnown() {
            return known(KnownAnswer.prompt(random), 1 + random.nextInt(8));
        }

        /** Checks that a request that must be served got its known answer. */
        void served(Fault f, String what, Answer a, Known k) {
            f.check(a.kind() == Answer.Kind.RESULT && k.text.equals(a.text()),
                    what + ": " + a.describe() + ", expected '" + k.text + "'");
        }

        /** A long stream that has produced its first token. */
        StreamCall longStream(Fault f) throws InterruptedException {
            StreamCall s = calls.stream(LONG);
            if (!s.awaitTokens(1, WAIT)) {
                f.check(false, "a long stream did not start: " + ledger.add(s.await(Duration.ofSeconds(1)))
                        .describe());
                return null;
            }
            return s;
        }

        /**
         * Both slots streaming long generations (each has produced a token), and a plain request and a stream
         * waiting for a slot; null (and the fault noted) when that could not be set up.
         */
        Busy busy(Fault f) throws InterruptedException {
            List<StreamCall> streams = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                StreamCall s = longStream(f);
                if (s == null) {
                    streams.forEach(StreamCall::close);
                    return null;
                }
                streams.add(s);
            }
            Known plainKnown = anyKnown();
            Known streamKnown = anyKnown();
            Busy busy = new Busy(streams, inferAsync(plainKnown.body), plainKnown, calls.stream(streamKnown.body),
                    streamKnown);
            if (!f.check(awaitModel(m -> num(m, "queued") == 2, Duration.ofSeconds(10)),
                    "the two extra requests did not wait for a slot")) {
                busy.close();
                return null;
            }
            return busy;
        }

        ProcessHandle worker(Fault f) {
            ProcessHandle w = server.worker(MODEL).orElse(null);
            f.check(w != null, "no single worker process of the model: " + server.workers());
            return w;
        }

        void sigkill(Fault f) throws Exception {
            try (StreamCall stream = longStream(f)) {
                ProcessHandle worker = stream == null ? null : worker(f);
                if (worker == null) {
                    return;
                }
                long signalled = System.nanoTime();
                worker.destroyForcibly();
                Answer ended = ledger.add(stream.await(WAIT));
                long ms = (stream.endedAt() - signalled) / 1_000_000;
                f.check(ended.kind() == Answer.Kind.ERROR_EVENT,
                        "the stream of the killed worker: " + ended.describe() + "; an error event was due");
                Known k = anyKnown();
                Answer next = ledger.add(calls.infer(k.body, WAIT));
                served(f, "the next request", next, k);
                ProcessHandle fresh = server.worker(MODEL).orElse(null);
                f.check(fresh != null && fresh.pid() != worker.pid(), "the next request was not served by a"
                        + " fresh worker (worker " + (fresh == null ? "none" : fresh.pid()) + ")");
                measured.killEnded.add(ms);
                measured.killNext.add(next.millis());
                f.figure = String.format("error event %d ms after the kill; the next request answered by a fresh"
                        + " worker in %d ms", ms, next.millis());
            }
        }

        void sigstop(Fault f) throws Exception {
            Duration documented = pingInterval.plus(pingTimeout).plus(pingInterval);
            long upper = documented.plus(SLACK).toMillis();
            long lower = pingTimeout.minus(pingInterval).toMillis();
            ProcessHandle worker = null;
            Watcher watcher = null;
            try (Busy busy = busy(f)) {
                if (busy == null) {
                    return;
                }
                worker = worker(f);
                if (worker == null) {
                    return;
                }
                watcher = Watcher.start(calls);
                long signalled = System.nanoTime();
                Signal.STOP.send(worker.pid());

                List<Long> ended = new ArrayList<>();
                for (StreamCall s : busy.streams) {
                    Answer a = ledger.add(s.await(Duration.ofMillis(upper).plus(WAIT)));
                    long ms = (s.endedAt() - signalled) / 1_000_000;
                    ended.add(ms);
                    f.check(a.kind() == Answer.Kind.ERROR_EVENT, "a stream of the frozen worker: " + a.describe()
                            + "; an error event was due");
                    f.check(a.kind() != Answer.Kind.ERROR_EVENT || ms >= lower && ms <= upper, "a stream of the"
                            + " frozen worker ended " + ms + " ms after SIGSTOP, outside " + lower + ".." + upper
                            + " ms (the documented " + documented.toMillis() + " ms plus " + SLACK.toMillis()
                            + " ms of slack)");
                }
                Answer plain = ledger.add(get(busy.waitingPlain));
                Answer queued = ledger.add(busy.waitingStream.await(WAIT));
                movedOnOrRefused(f, "the waiting request", plain, busy.plainKnown);
                movedOnOrRefused(f, "the waiting stream", queued, busy.streamKnown);
                f.check(awaitModel(m -> "ready".equals(m.get("state")), Duration.ofSeconds(30)),
                        "the model was not ready again");
                watcher.stop();
                f.check(watcher.healthFailures.get() == 0, watcher.healthFailures + " of " + watcher.healthAnswers
                        + " /health calls failed or took longer than " + Watcher.HEALTH_WAIT.toMillis() + " ms");
                f.check(watcher.transitions.stream().anyMatch(s -> !s.equals("ready")), "/health never showed the"
                        + " model other than ready: " + watcher.transitions);
                f.check(!watcher.reasons.isEmpty(), "/v1/models never gave a reason for the model's state");
                ProcessHandle fresh = server.worker(MODEL).orElse(null);
                f.check(fresh != null && fresh.pid() != worker.pid(), "the model was not served by a fresh worker");
                measured.stopEnded.addAll(ended);
                measured.stopBound = upper;
                measured.stopDocumented = documented.toMillis();
                for (Answer a : List.of(plain, queued)) {
                    if (a.kind() == Answer.Kind.RESULT) {
                        measured.waitingServed++;
                    } else {
                        measured.waitingRefused++;
                    }
                }
                measured.healthAnswers += watcher.healthAnswers.get();
                measured.slowestHealth = Math.max(measured.slowestHealth, watcher.slowestHealth.get());
                measured.transitions.add(String.join(" → ", watcher.transitions));
                measured.reasons.addAll(watcher.reasons);
                f.figure = String.format("the streams ended with an error event %s ms after SIGSTOP (bound %d ms);"
                                + " the waiting requests: %s, %s; /health answered %d times meanwhile (slowest %d ms),"
                                + " states %s; /v1/models reason '%s'",
                        String.join(" and ", ended.stream().map(String::valueOf).toList()), upper, outcome(plain),
                        outcome(queued), watcher.healthAnswers.get(), watcher.slowestHealth.get(),
                        String.join(" → ", watcher.transitions), watcher.reasons.stream().findFirst().orElse(""));
            } finally {
                if (watcher != null) {
                    watcher.stop();
                }
                if (worker != null && worker.isAlive()) {
                    f.check(false, "the frozen worker " + worker.pid() + " was not killed");
                    worker.destroyForcibly();
                }
            }
        }

        /** A request that waited for the lost worker's slot: served by a fresh one, or 503 with Retry-After. */
        private void movedOnOrRefused(Fault f, String what, Answer a, Known k) {
            f.check(a.kind() == Answer.Kind.RESULT && k.text.equals(a.text()) || a.refusedWithRetry(503),
                    what + ": " + a.describe() + "; its known answer '" + k.text + "' or 503 with Retry-After was"
                            + " due");
        }

        private static String outcome(Answer a) {
            return a.kind() == Answer.Kind.RESULT ? "served in " + a.millis() + " ms" : a.status() + "";
        }

        void deletedAndRestored(Fault f) throws Exception {
            Answer unload = calls.post("/v1/unload/" + MODEL, WAIT);
            f.check(unload.status() == 200 || unload.status() == 404, "unload: " + unload.describe());
            byte[] bytes = Files.readAllBytes(modelFile);
            Files.delete(modelFile);
            String reason;
            try {
                Answer plain = ledger.add(calls.infer(anyKnown().body, WAIT));
                Answer stream;
                try (StreamCall s = calls.stream(anyKnown().body)) {
                    stream = ledger.add(s.await(WAIT));
                }
                for (Answer a : List.of(plain, stream)) {
                    f.check(a.refusedWithRetry(503) && "model_unavailable".equals(a.field("code")),
                            "with the file missing: " + a.describe() + "; 503 model_unavailable was due");
                }
                Map<String, Object> listed = model(calls.get("/v1/models", WAIT));
                reason = String.valueOf(listed.get("reason"));
                f.check(Boolean.FALSE.equals(listed.get("available")) && reason.contains("not found"),
                        "/v1/models did not show the model unavailable for its missing file: " + listed);
            } finally {
                Files.write(modelFile, bytes);
            }
            Known k = anyKnown();
            Answer back = ledger.add(calls.infer(k.body, WAIT));
            served(f, "with the file restored", back, k);
            f.check(server.alive(), "the server process ended");
            measured.missingReason = reason;
            measured.restored.add(back.millis());
            f.figure = String.format("503 model_unavailable while missing (reason: %s); served again in %d ms once"
                    + " restored, by the same process", reason, back.millis());
        }

        void sigterm(Fault f) throws Exception {
            try (Busy busy = busy(f)) {
                if (busy == null) {
                    return;
                }
                List<ProcessHandle> workers = server.workers();
                Duration grace = SettingsTable.SHUTDOWN_GRACE.read(server.settings());
                Duration bound = grace.plus(EXIT_SLACK);

                ServerProcess.Exit exit = server.terminate(bound.plus(WAIT));

                String console = server.console();
                boolean said = console.contains("cerebrum: stopping");
                Map<String, Integer> endings = new java.util.TreeMap<>();
                List<Answer> answers = new ArrayList<>();
                answers.add(get(busy.waitingPlain));
                for (StreamCall s : busy.allStreams()) {
                    answers.add(s.await(Duration.ofSeconds(5)));
                }
                for (Answer a : answers) {
                    if (a.kind() == Answer.Kind.CLOSED && said) {
                        ledger.closedByShutdown(a);
                    } else {
                        ledger.add(a);
                        f.check(a.definite() && a.status() != 500, "a request in flight at SIGTERM: "
                                + a.describe());
                    }
                    endings.merge(a.kind() == Answer.Kind.ERROR_EVENT ? "an error event '" + a.field("error") + "'"
                            : a.kind() == Answer.Kind.REFUSED ? a.status() + " '" + a.field("message") + "'"
                            : a.kind() == Answer.Kind.RESULT ? "their result"
                            : "the connection closed after 'cerebrum: stopping'", 1, Integer::sum);
                }
                f.check(exit.status() == GRACEFUL_EXIT && console.contains("cerebrum: stopped"), "the server"
                        + " exited with status " + exit.status() + " after " + exit.millis() + " ms; a graceful"
                        + " stop (" + GRACEFUL_EXIT + ", 'cerebrum: stopped') was due");
                f.check(exit.millis() <= bound.toMillis(), "the server took " + exit.millis() + " ms to exit;"
                        + " the grace is " + grace.toMillis() + " ms, plus " + EXIT_SLACK.toMillis() + " ms of slack");
                awaitGone(workers);
                List<ProcessHandle> left = new ArrayList<>(server.workers());
                workers.stream().filter(ProcessHandle::isAlive).filter(w -> !left.contains(w)).forEach(left::add);
                f.check(left.isEmpty(), "worker processes outlived the server: " + left);
                left.forEach(ProcessHandle::destroyForcibly);
                StringBuilder got = new StringBuilder();
                endings.forEach((ending, n) -> got.append(got.isEmpty() ? "" : ", ").append(n).append(" × ")
                        .append(ending));
                measured.shutdown = String.format("exit status %d after %,d ms (grace %,d ms); the %d requests in"
                                + " flight got %s; %d worker process%s before, none after", exit.status(), exit.millis(),
                        grace.toMillis(), answers.size(), got, workers.size(), workers.size() == 1 ? "" : "es");
                f.figure = measured.shutdown;
            }
        }

        private static void awaitGone(List<ProcessHandle> processes) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }

        private CompletableFuture<Answer> inferAsync(String body) {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    answer.complete(calls.infer(body, WAIT));
                } catch (InterruptedException e) {
                    answer.complete(new Answer(Answer.Kind.NO_ANSWER, 0, "", "", null, 0));
                }
            });
            return answer;
        }

        private static Answer get(CompletableFuture<Answer> answer) throws InterruptedException {
            try {
                return answer.get(WAIT.plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return new Answer(Answer.Kind.NO_ANSWER, 0, "", "", null, WAIT.toMillis());
            }
        }

        /** Waits until the model is idle again after a fault. */
        void awaitIdle(Fault f) throws InterruptedException {
            f.check(awaitModel(m -> num(m, "in_flight") == 0 && num(m, "queued") == 0, Duration.ofSeconds(30)),
                    "the model did not become idle after the fault");
        }

        /** Polls /v1/models until the model's entry satisfies the condition, at most {@code wait}. */
        boolean awaitModel(java.util.function.Predicate<Map<String, Object>> condition, Duration wait)
                throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                if (condition.test(model(calls.get("/v1/models", Duration.ofSeconds(5))))) {
                    return true;
                }
                Thread.sleep(20);
            }
            return false;
        }
    }

    /** The model's entry in a {@code /v1/models} answer; empty when there is none. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> model(Answer models) {
        if (models.json().get("models") instanceof List<?> list) {
            for (Object m : list) {
                if (m instanceof Map<?, ?> entry && MODEL.equals(entry.get("name"))) {
                    return (Map<String, Object>) entry;
                }
            }
        }
        return Map.of();
    }

    private static long num(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : -1;
    }

    /**
     * Polls {@code /health} and {@code /v1/models} while a fault runs: whether health always answered, and which
     * states and reasons the model showed.
     */
    private static final class Watcher {
        static final Duration HEALTH_WAIT = Duration.ofSeconds(2);
        /** The model's states as /health showed them, each change once: ready → failed → loading → ready. */
        final List<String> transitions = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Set<String> reasons = ConcurrentHashMap.newKeySet();
        final AtomicInteger healthAnswers = new AtomicInteger();
        final AtomicInteger healthFailures = new AtomicInteger();
        final AtomicLong slowestHealth = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private Thread thread;

        static Watcher start(Calls calls) {
            Watcher w = new Watcher();
            w.thread = Thread.ofVirtual().name("fault-watcher").start(() -> w.watch(calls));
            return w;
        }

        private void watch(Calls calls) {
            try {
                while (running.get()) {
                    Answer health = calls.get("/health", HEALTH_WAIT);
                    if (health.status() == 200) {
                        healthAnswers.incrementAndGet();
                        slowestHealth.accumulateAndGet(health.millis(), Math::max);
                        if (health.json().get("model_states") instanceof Map<?, ?> s && s.get(MODEL) != null) {
                            String state = String.valueOf(s.get(MODEL));
                            if (transitions.isEmpty() || !transitions.getLast().equals(state)) {
                                transitions.add(state);
                            }
                        }
                    } else {
                        healthFailures.incrementAndGet();
                    }
                    Object reason = model(calls.get("/v1/models", HEALTH_WAIT)).get("reason");
                    if (reason != null) {
                        reasons.add(String.valueOf(reason));
                    }
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }
    }
}
