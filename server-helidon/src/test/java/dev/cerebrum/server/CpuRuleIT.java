package dev.cerebrum.server;

import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The CPU rule as a user meets it: a real server started as its own process with the default
 * {@code MAX_CPU_PERCENT} (70) and CPU window (5 s), a model with as many threads as the machine has cores,
 * and real load, the backend's own and other processes'.
 */
class CpuRuleIT {
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final long WINDOW_MS = 5_000;
    private static final long SAMPLE_MS = 1_000;
    private static final String[] KEY = {"X-API-Key", TestServer.KEY};
    /** About half a second of generation on both cores of this machine. */
    private static final String HOT = "{\"prompt\": \"a\", \"model\": \"hot\", \"max_tokens\": 1500, \"temperature\": 0,"
            + " \"ignore_eos\": true}";
    private static final String SHORT = "{\"prompt\": \"abc\", \"model\": \"hot\", \"max_tokens\": 4, \"temperature\": 0}";

    @TempDir
    Path dir;

    private ServerProcess start() throws IOException {
        Files.writeString(dir.resolve("models.yaml"), """
                models:
                  hot:
                    path: %s
                    ctx_size: 2048
                    parallel: 1
                    threads: %d
                """.formatted(TestModels.successor().toAbsolutePath(), CORES));
        // Only what the test needs: every guard setting keeps its default.
        return ServerProcess.start(dir, """
                CEREBRUM_API_KEY=%s
                CEREBRUM_VPS_PORT=0
                CEREBRUM_MODELS_FILE=%s
                """.formatted(TestServer.KEY, dir.resolve("models.yaml")));
    }

    @Test
    void theBackendsOwnWork_isNeverRefused_fromItsFirstSecondThroughTwentyHotGenerations() throws Exception {
        try (ServerProcess server = start()) {
            Http http = server.http();
            // when /health first answers, while the server's JVM is still warming up
            long firstHealth = awaitFirstHealth(http);
            long sent = System.nanoTime();
            Http.Response first = http.post("/v1/inference", HOT, KEY);

            // then the first request, sent at once, is admitted (it also loads the model: a worker JVM starts)
            assertTrue(sent - firstHealth < TimeUnit.SECONDS.toNanos(1), "sent within a second of /health");
            assertEquals(200, first.status(), first.body());
            assertEquals(1500, ((Number) first.json().get("tokens_generated")).intValue());

            // when one client sends twenty generations back to back, each keeping every core busy
            List<String> refused = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Http.Response r = http.post("/v1/inference", HOT, KEY);
                if (r.status() != 200) {
                    refused.add(i + ": " + r.status() + " " + r.body());
                }
            }
            Map<String, Object> health = http.get("/health").json();
            System.out.println("after 21 hot generations on " + CORES + " threads: " + health);

            // then every one was admitted, and the heat was the backend's own
            assertEquals(List.of(), refused);
            assertEquals("healthy", health.get("status"), health.toString());
            double own = ((Number) health.get("own_cpu_percent")).doubleValue();
            double other = ((Number) health.get("other_cpu_percent")).doubleValue();
            assertTrue(own > 40, "the generations show as the backend's own load: " + health);
            assertTrue(other < 70, "and not as other processes' load: " + health);
            // /v1/stats shows the same figures beside the original's, and which limits apply
            @SuppressWarnings("unchecked")
            Map<String, Object> system = (Map<String, Object>) http.get("/v1/stats", KEY).json().get("system");
            for (String k : List.of("cpu_usage_percent", "ram_available_gb", "ram_used_gb", "uptime_seconds",
                    "other_cpu_percent", "own_cpu_percent")) {
                assertTrue(system.get(k) instanceof Number, k + " in " + system);
            }
            assertEquals(5.0, system.get("cpu_window_seconds"));
            @SuppressWarnings("unchecked")
            Map<String, Object> limits = (Map<String, Object>) system.get("limits");
            assertTrue(List.of("host", "cgroup").contains(limits.get("cpu")), limits.toString());
            assertTrue(List.of("host", "cgroup").contains(limits.get("memory")), limits.toString());
            assertTrue(number(limits, "cpu_allowed_cores") <= number(limits, "host_cores"), limits.toString());
        }
    }

    @Test
    void busyLoopsOnEveryCore_refuseNewWorkWithinTheWindow_andTheServerAdmitsAgainWithinTheWindowOnceTheyStop()
            throws Exception {
        try (ServerProcess server = start()) {
            Http http = server.http();
            awaitFirstHealth(http);
            assertEquals(200, http.post("/v1/load/hot", null, KEY).status());
            assertEquals(200, http.post("/v1/inference", SHORT, KEY).status());
            // a quiet server: the JIT heat of its start and its worker's has left the window
            Workers.await("the server is quiet", 60_000, () -> number(http.get("/health").json(), "own_cpu_percent") < 15);

            // when other processes keep every core busy
            List<Process> loops = new ArrayList<>();
            try {
                long started = System.nanoTime();
                for (int i = 0; i < CORES; i++) {
                    // bounded twice: killed below, and by timeout(1) should this JVM die first
                    loops.add(new ProcessBuilder("timeout", "60", "sh", "-c", "while :; do :; done").start());
                }
                Map<String, Object> health = untilHealth(http, "overloaded", started);
                Http.Response refusal = http.post("/v1/inference", SHORT, KEY);
                long refusedAfter = millisSince(started);
                System.out.println("busy loops: refused after " + refusedAfter + " ms: " + refusal.body()
                        + "\n  /health " + health);

                // then new work is refused within the window, naming other processes' load
                assertEquals(503, refusal.status(), refusal.body());
                assertTrue(refusedAfter <= WINDOW_MS + 2 * SAMPLE_MS, "refused after " + refusedAfter + " ms");
                Map<String, Object> body = refusal.json();
                assertEquals("VPS overloaded", body.get("error"));
                assertEquals("overloaded", body.get("code"));
                assertEquals("Fallback to CM4 local inference", body.get("suggestion"));
                assertTrue(((String) body.get("reason")).startsWith("other processes use "), refusal.body());
                assertTrue(((String) body.get("reason")).contains("above the limit of 70%"), refusal.body());
                assertTrue(Integer.parseInt(refusal.header("Retry-After")) >= 1);
                assertEquals(false, health.get("available"));
                assertTrue(number(health, "other_cpu_percent") > 70, health.toString());
                assertTrue(((String) health.get("reason")).startsWith("other processes use "), health.toString());
                // the calls that free the machine are never refused
                assertEquals(200, http.post("/v1/unload/hot", null, KEY).status());
                assertEquals(200, http.post("/v1/load/hot", null, KEY).status());
            } finally {
                stop(loops);
            }

            // when they stop
            long stopped = System.nanoTime();
            Map<String, Object> health = untilHealth(http, "healthy", stopped);
            Http.Response admitted = http.post("/v1/inference", SHORT, KEY);
            long admittedAfter = millisSince(stopped);
            System.out.println("busy loops stopped: admitted again after " + admittedAfter + " ms; /health " + health);

            // then new work is admitted again within the window
            assertEquals(200, admitted.status(), admitted.body());
            assertTrue(admittedAfter <= WINDOW_MS + 2 * SAMPLE_MS, "admitted after " + admittedAfter + " ms");
            assertEquals("defg", admitted.json().get("result"));
        }
    }

    private static long awaitFirstHealth(Http http) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (http.get("/health").status() == 200) {
                    return System.nanoTime();
                }
            } catch (RuntimeException e) {
                // not answering yet
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fail("/health did not answer within 30 s");
    }

    /** Polls /health every 100 ms until it says {@code status}; bounded by twice the window. */
    private static Map<String, Object> untilHealth(Http http, String status, long since) throws InterruptedException {
        long bound = 2 * (WINDOW_MS + 2 * SAMPLE_MS);
        while (millisSince(since) < bound) {
            Map<String, Object> health = http.get("/health").json();
            if (status.equals(health.get("status"))) {
                return health;
            }
            Thread.sleep(100);
        }
        return fail("/health did not say " + status + " within " + bound + " ms: " + http.get("/health").body());
    }

    private static double number(Map<String, Object> json, String key) {
        return ((Number) json.get(key)).doubleValue();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void stop(List<Process> loops) throws InterruptedException {
        for (Process p : loops) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : loops) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
