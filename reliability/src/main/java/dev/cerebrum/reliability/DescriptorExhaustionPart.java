package dev.cerebrum.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Descriptor exhaustion: a server under a low open-files limit gets far more idle connections, from several
 * addresses and without a key, than the limit allows. It must stay alive, and once they close, {@code /health}
 * and an inference must answer again within seconds, from the same process (the listener was never lost).
 */
final class DescriptorExhaustionPart implements Part {
    static final int DESCRIPTOR_LIMIT = 256;
    /** How soon health and inference must answer after the idle connections close. */
    static final Duration BACK_WITHIN = Duration.ofSeconds(5);
    private static final int ATTACKER_ADDRESSES = 8;
    private static final Pattern ROOM = Pattern.compile("room for (\\d+) connections");

    @Override
    public String name() {
        return "descriptors";
    }

    @Override
    public PartResult run(SuiteContext context) throws Exception {
        long start = System.nanoTime();
        int connections = context.profile().pick(400, 1000);
        Duration hold = Duration.ofSeconds(context.profile().pick(2, 12));
        String tried = "limit " + DESCRIPTOR_LIMIT + ", " + connections + " idle connections for " + hold.toSeconds()
                + " s";
        try (ServerProcess server = ServerProcess.in(context.folder("descriptors"))
                .descriptorLimit(DESCRIPTOR_LIMIT)
                .setting("MAX_CPU_PERCENT", "100")
                .start()) {
            List<String> problems = new ArrayList<>();
            int port = server.port();
            long pid = server.pid();
            if (!inferenceAnswers(port)) {
                problems.add("no inference answer before the attack");
            }
            Matcher room = ROOM.matcher(server.log());
            String served = room.find() ? room.group(1) : "?";
            context.say("%s; the server makes room for %s connections", tried, served);

            List<Socket> idle = new ArrayList<>();
            AtomicInteger unconnected = new AtomicInteger();
            try {
                open(port, connections, idle, unconnected);
                List<Integer> duringHealth = new ArrayList<>();
                long holdEnd = System.nanoTime() + hold.toNanos();
                while (System.nanoTime() < holdEnd) {
                    duringHealth.add(RawExchange.get(port, "127.0.0.1", "/health"));
                    Thread.sleep(250);
                }
                if (!server.alive()) {
                    problems.add("the server process ended under the attack");
                }
                context.say("%d connected, %d not; /health from another address meanwhile: %s", idle.size(),
                        unconnected.get(), counts(duringHealth));
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
            long healthMs = awaitMillis(() -> RawExchange.get(port, "127.0.0.1", "/health") == 200);
            long inferenceMs = awaitMillis(() -> inferenceAnswers(port));
            String log = server.log();
            boolean lost = log.contains("this server socket is terminating now");
            if (healthMs < 0) {
                problems.add("/health did not answer within " + BACK_WITHIN.toSeconds() + " s after the connections"
                        + " closed");
            }
            if (inferenceMs < 0) {
                problems.add("no inference answer within " + BACK_WITHIN.toSeconds() + " s after the connections"
                        + " closed");
            }
            if (!server.alive() || server.pid() != pid) {
                problems.add("the server process did not survive");
            }
            if (lost) {
                problems.add("the listener was lost (Helidon ended it) during the attack");
            }
            String refused = refusals(port);
            String figures = String.format("room for %s connections; %,d idle connections from %d addresses (%s);"
                            + " after they closed, /health answered in %d ms and inference in %d ms; listener %s",
                    served, idle.size(), ATTACKER_ADDRESSES, refused, healthMs, inferenceMs,
                    lost ? "lost" : "never lost");
            context.say("%s", figures);
            return PartResult.of(name(), tried, figures, problems, Duration.ofNanos(System.nanoTime() - start))
                    .withHeadline(String.format("the listener outlived %,d idle connections", idle.size()));
        }
    }

    /** Opens idle connections (nothing is sent) from several loopback addresses, in parallel. */
    private static void open(int port, int count, List<Socket> into, AtomicInteger unconnected)
            throws InterruptedException {
        ConcurrentLinkedQueue<Socket> opened = new ConcurrentLinkedQueue<>();
        List<Thread> openers = new ArrayList<>();
        for (int a = 0; a < ATTACKER_ADDRESSES; a++) {
            String from = "127.0.0." + (2 + a);
            int share = count / ATTACKER_ADDRESSES + (a < count % ATTACKER_ADDRESSES ? 1 : 0);
            openers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < share; i++) {
                    Socket s = new Socket();
                    try {
                        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
                        opened.add(s);
                    } catch (IOException e) {
                        unconnected.incrementAndGet();
                        try {
                            s.close();
                        } catch (IOException ignored) {
                            // never connected
                        }
                    }
                }
            }));
        }
        for (Thread t : openers) {
            t.join();
        }
        into.addAll(opened);
    }

    /** True when an inference answers 200 with the known text. */
    private static boolean inferenceAnswers(int port) {
        String body = "{\"model\": \"demo\", \"prompt\": \"abc\", \"max_tokens\": 3, \"temperature\": 0}";
        String request = "POST /v1/inference HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + ServerProcess.KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body;
        RawExchange.Answer a = RawExchange.send(port, "127.0.0.1", request.getBytes(StandardCharsets.US_ASCII),
                Duration.ofSeconds(10));
        return a.status() == 200 && a.text().contains("\"result\": \"def\"");
    }

    /** Milliseconds until {@code condition} held, or -1 when it did not within {@link #BACK_WITHIN}. */
    private static long awaitMillis(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < BACK_WITHIN.toNanos()) {
            if (condition.getAsBoolean()) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            Thread.sleep(50);
        }
        return -1;
    }

    /** The server's own count of refused connections, by reason, from its metrics. */
    private static String refusals(int port) {
        String request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + ServerProcess.KEY
                + "\r\nConnection: close\r\n\r\n";
        String text = RawExchange.send(port, "127.0.0.1", request.getBytes(StandardCharsets.US_ASCII),
                Duration.ofSeconds(5)).text();
        Map<String, Long> byReason = new TreeMap<>();
        Matcher m = Pattern.compile("cerebrum_connections_(refused|closed)_total\\{reason=\"(\\w+)\"} ([0-9.]+)")
                .matcher(text);
        while (m.find()) {
            long n = (long) Double.parseDouble(m.group(3));
            if (n > 0) {
                byReason.put(m.group(2).replace('_', ' '), n);
            }
        }
        Map<String, String> words = Map.of("descriptors", "refused (descriptors low)", "total",
                "refused (connection limit)", "peer", "refused (per-address limit)", "outsiders",
                "refused (outside the allowlist)", "header timeout", "closed at the header timeout");
        StringBuilder b = new StringBuilder();
        byReason.forEach((reason, n) -> b.append(b.isEmpty() ? "" : ", ").append(String.format("%,d", n)).append(' ')
                .append(words.getOrDefault(reason, reason)));
        return b.isEmpty() ? "none refused" : b.toString();
    }

    private static String counts(List<Integer> statuses) {
        Map<Integer, Integer> n = new TreeMap<>();
        statuses.forEach(s -> n.merge(s, 1, Integer::sum));
        StringBuilder b = new StringBuilder();
        n.forEach((s, c) -> b.append(b.isEmpty() ? "" : ", ").append(s == 0 ? "no answer" : s).append(" ×").append(c));
        return b.toString();
    }
}
