package dev.cerebrum.reliability;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Load: concurrent clients, each with its own connection, send inference, streaming, health and model requests
 * for a fixed time against a real server with the demo model. Every answer must be 200, or 429 or 503 with
 * {@code Retry-After}; every 200 inference text must be the model's known answer; nothing may fail or hang. The
 * server's memory, descriptors and threads are read before, during and after, and must come back.
 */
final class LoadPart implements Part {
    /** The clients come from three loopback addresses, as three orchestrators would. */
    private static final List<String> SOURCES = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final int DESCRIPTOR_SLACK = 2;
    private static final int THREAD_SLACK = 4;

    @Override
    public String name() {
        return "load";
    }

    @Override
    public PartResult run(SuiteContext context) throws Exception {
        long start = System.nanoTime();
        int clients = context.profile().pick(6, 48);
        Duration duration = Duration.ofSeconds(context.profile().pick(8, 60));
        String tried = clients + " clients for " + duration.toSeconds() + " s";
        try (ServerProcess server = ServerProcess.in(context.folder("load"))
                .setting("MAX_CPU_PERCENT", "100") // the CPU rule would refuse most work on a small machine
                .setting("CEREBRUM_PARALLEL", "2")
                .setting("CEREBRUM_QUEUE_SIZE", "64") // every client may wait for a slot rather than get 429
                .start()) {
            Tally warmUp = new Tally();
            try (Client client = new Client(server.base(), SOURCES.getFirst(), 0)) {
                for (int i = 0; i < 4; i++) {
                    client.act(i, warmUp);
                }
            }
            Thread.sleep(1_000);
            ProcessSample before = server.sample();
            context.say("%s against pid %d (%d MB, %d descriptors, %d threads)", tried, server.pid(),
                    before.rssMb(), before.descriptors(), before.threads());

            Tally tally = new Tally();
            Peak peak = new Peak(before);
            long deadline = System.nanoTime() + duration.toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    try (Client client = new Client(server.base(), SOURCES.get(id % SOURCES.size()), id + 1)) {
                        for (int n = 0; System.nanoTime() < deadline; n++) {
                            client.act(n, tally);
                        }
                    }
                }));
            }
            while (System.nanoTime() < deadline) {
                Thread.sleep(500);
                peak.add(server.sample());
            }
            for (Thread t : threads) {
                t.join(REQUEST_TIMEOUT.toMillis());
            }

            ProcessSample after = settle(server, before);
            List<String> problems = new ArrayList<>(tally.problems());
            if (threads.stream().anyMatch(Thread::isAlive)) {
                problems.add("a client was still waiting " + REQUEST_TIMEOUT.toSeconds() + " s after the end");
            }
            if (!server.alive()) {
                problems.add("the server process ended");
            }
            if (after.descriptors() > before.descriptors() + DESCRIPTOR_SLACK) {
                problems.add("descriptors did not come back: " + before.descriptors() + " before, "
                        + after.descriptors() + " " + SETTLE.toSeconds() + " s after");
            }
            if (after.threads() > before.threads() + THREAD_SLACK) {
                problems.add("threads did not come back: " + before.threads() + " before, " + after.threads()
                        + " " + SETTLE.toSeconds() + " s after");
            }
            if (after.rssBytes() > 2 * before.rssBytes() + (256L << 20)) {
                problems.add("memory kept growing: " + before.rssMb() + " MB before, " + after.rssMb() + " MB after");
            }
            String figures = String.format("%,d requests (%.0f/s): %s; wrong answers %d, failed %d;"
                            + " inference p50 %d ms, p99 %d ms; RSS %d → %d MB (peak %d); descriptors %d → %d;"
                            + " threads %d → %d",
                    tally.requests.sum(), tally.requests.sum() / (double) duration.toSeconds(), tally.statuses(),
                    tally.wrong.sum(), tally.failed.sum(), tally.percentile(50), tally.percentile(99),
                    before.rssMb(), after.rssMb(), peak.rssMb(), before.descriptors(), after.descriptors(),
                    before.threads(), after.threads());
            context.say("%s", figures);
            return PartResult.of(name(), tried, figures, problems, Duration.ofNanos(System.nanoTime() - start))
                    .withHeadline(String.format("load held (%,d requests from %d clients, no wrong answer)",
                            tally.requests.sum(), clients));
        }
    }

    /** Waits until descriptors and threads are back near where they were, or {@link #SETTLE} has passed. */
    private static ProcessSample settle(ServerProcess server, ProcessSample before) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        ProcessSample now = server.sample();
        while (System.nanoTime() < deadline && (now.descriptors() > before.descriptors() + DESCRIPTOR_SLACK
                || now.threads() > before.threads() + THREAD_SLACK)) {
            Thread.sleep(250);
            now = server.sample();
        }
        return now;
    }

    /** The highest resident memory seen. */
    private static final class Peak {
        private long rss;

        Peak(ProcessSample first) {
            rss = first.rssBytes();
        }

        void add(ProcessSample s) {
            rss = Math.max(rss, s.rssBytes());
        }

        long rssMb() {
            return rss / (1024 * 1024);
        }
    }

    /** What all clients saw. */
    private static final class Tally {
        private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
        private final LongAdder requests = new LongAdder();
        private final LongAdder wrong = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final ConcurrentLinkedQueue<Long> inferenceMillis = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<String> examples = new ConcurrentLinkedQueue<>();
        private final AtomicLong exampleCount = new AtomicLong();

        void status(int status) {
            requests.increment();
            byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
        }

        void problem(LongAdder counter, String example) {
            counter.increment();
            if (exampleCount.incrementAndGet() <= 5) {
                examples.add(example);
            }
        }

        String statuses() {
            StringBuilder b = new StringBuilder();
            new TreeMap<>(byStatus).forEach((s, n) -> b.append(b.isEmpty() ? "" : ", ").append(s).append(" ×")
                    .append(String.format("%,d", n.sum())));
            return b.toString();
        }

        long percentile(int p) {
            List<Long> sorted = inferenceMillis.stream().sorted().toList();
            return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
        }

        List<String> problems() {
            List<String> problems = new ArrayList<>();
            byStatus.forEach((s, n) -> {
                if (s != 200 && s != 429 && s != 503) {
                    problems.add(n.sum() + " answers with status " + s);
                }
            });
            if (wrong.sum() > 0 || failed.sum() > 0) {
                problems.add(wrong.sum() + " wrong answers, " + failed.sum() + " failed requests; for example: "
                        + String.join(" | ", examples));
            }
            return problems;
        }
    }

    /** One client: its own HTTP client (so its own connection) from one source address. */
    private static final class Client implements AutoCloseable {
        private final URI base;
        private final HttpClient http;
        private final SplittableRandom random;

        Client(URI base, String from, long seed) {
            this.base = base;
            try {
                this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .localAddress(InetAddress.getByName(from)).connectTimeout(Duration.ofSeconds(10)).build();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(from, e);
            }
            this.random = new SplittableRandom(seed);
        }

        /** The n-th request: mostly inference, some streams, health and model lists. */
        void act(int n, Tally tally) {
            int kind = n < 4 ? n : random.nextInt(20);
            try {
                switch (kind) {
                    case 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 -> inference(tally, false);
                    case 1, 16, 17 -> inference(tally, true);
                    case 2, 18 -> plain(tally, HttpRequest.newBuilder(base.resolve("/health")).GET());
                    default -> plain(tally, HttpRequest.newBuilder(base.resolve("/v1/models"))
                            .header("X-API-Key", ServerProcess.KEY).GET());
                }
            } catch (IOException e) {
                tally.problem(tally.failed, e.getClass().getSimpleName() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void plain(Tally tally, HttpRequest.Builder request) throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(request.timeout(REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            refusalOrOk(tally, r, "GET " + r.uri().getPath());
        }

        private void inference(Tally tally, boolean stream) throws IOException, InterruptedException {
            String prompt = KnownAnswer.prompt(random);
            int maxTokens = 1 + random.nextInt(8);
            String body = JSON.std.asString(Map.of("model", "demo", "prompt", prompt, "max_tokens", maxTokens,
                    "temperature", 0));
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(stream ? "/v1/inference/stream"
                            : "/v1/inference")).timeout(REQUEST_TIMEOUT)
                    .header("X-API-Key", ServerProcess.KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (!refusalOrOk(tally, r, (stream ? "stream" : "inference") + " '" + prompt + "'")) {
                return;
            }
            String expected = KnownAnswer.of(prompt, maxTokens);
            String got = stream ? streamedText(r.body()) : String.valueOf(JSON.std.mapFrom(r.body()).get("result"));
            if (!Objects.equals(expected, got)) {
                tally.problem(tally.wrong, (stream ? "stream" : "inference") + " '" + prompt + "', " + maxTokens
                        + " tokens: expected '" + expected + "', got '" + got + "'");
            } else if (!stream) {
                tally.inferenceMillis.add((System.nanoTime() - t0) / 1_000_000);
            }
        }

        /** Counts the status; true for a 200, false for a refusal (which must say when to retry). */
        private static boolean refusalOrOk(Tally tally, HttpResponse<String> r, String what) {
            tally.status(r.statusCode());
            if (r.statusCode() == 429 || r.statusCode() == 503) {
                if (r.headers().firstValue("Retry-After").isEmpty()) {
                    tally.problem(tally.failed, what + ": " + r.statusCode() + " without Retry-After");
                }
                return false;
            }
            return r.statusCode() == 200;
        }

        /** The tokens of a stream, or null when it did not end with its done event. */
        private static String streamedText(String sse) throws IOException {
            StringBuilder text = new StringBuilder();
            boolean done = false;
            for (String line : sse.split("\n")) {
                if (!line.startsWith("data: ")) {
                    continue;
                }
                Map<String, Object> event = JSON.std.mapFrom(line.substring(6));
                if (event.containsKey("error")) {
                    return "(error event: " + event.get("error") + ")";
                }
                if (event.get("token") instanceof String token) {
                    text.append(token);
                }
                done |= Boolean.TRUE.equals(event.get("done"));
            }
            return done ? text.toString() : null;
        }

        @Override
        public void close() {
            http.close();
        }
    }
}
