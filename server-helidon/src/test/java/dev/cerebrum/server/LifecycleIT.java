package dev.cerebrum.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up and shutdown, in-process and as the foreground command the launcher runs. */
class LifecycleIT {
    private static final String[] KEY = {"X-API-Key", TestServer.KEY};

    @TempDir
    Path dir;

    @Test
    void withoutAKey_theServerRefusesToStart_sayingWhy() {
        Map<String, String> settings = TestServer.baseSettings(dir);
        settings.put("CEREBRUM_API_KEY", "");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CerebrumServer.start(settings));

        assertTrue(e.getMessage().contains("CEREBRUM_API_KEY"), e.getMessage());
        assertTrue(e.getMessage().contains("refuses to start"), e.getMessage());
        assertTrue(Workers.all().isEmpty());
    }

    @Test
    void aFreshMachineWithoutAModelsFile_getsTheDemoModel_andAnswersAtOnce() {
        Map<String, String> settings = TestServer.baseSettings(dir);
        assertFalse(Files.exists(dir.resolve("models")));

        try (CerebrumServer server = CerebrumServer.start(settings)) {
            assertTrue(Files.size(dir.resolve("models/demo.gguf")) > 100_000);
            Http http = new Http(java.net.URI.create("http://127.0.0.1:" + server.port()));
            Map<String, Object> r = http.post("/v1/inference",
                    "{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": 3, \"temperature\": 0}", KEY).json();
            assertEquals("def", r.get("result"));
            assertEquals(List.of("demo"), http.get("/v1/models", KEY).json().get("available_models"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void close_letsARunningStreamFinishWithinTheGracePeriod_andEndsEveryWorker() throws Exception {
        TestServer server = TestServer.start(dir, Map.of("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "20"));
        Http http = server.http();
        // about a second of work at this machine's speed, well inside the grace period
        HttpResponse<InputStream> r = http.open(http.request("/v1/inference/stream", KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a\", \"model\": \"long\", \"max_tokens\": 3000,"
                        + " \"temperature\": 0, \"ignore_eos\": true}")).build());
        BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertTrue(lines.readLine().startsWith("data: {\"token\""));
        assertFalse(Workers.all().isEmpty());

        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        String last = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("data: ")) {
                last = line;
            }
        }
        closing.get(60, TimeUnit.SECONDS);

        assertTrue(last.startsWith("data: {\"done\": true, \"total_tokens\": 3000,"), last);
        assertTrue(Workers.all().isEmpty(), "workers outlived the server: " + Workers.all());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", server.server.port()).close());
    }

    @Test
    void close_cancelsAStreamThatOutlivesTheGracePeriod_andEndsEveryWorker() throws Exception {
        TestServer server = TestServer.start(dir, Map.of("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "1"));
        Http http = server.http();
        HttpResponse<InputStream> r = http.open(http.request("/v1/inference/stream", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.LONG_BODY)).build());
        BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertTrue(lines.readLine().startsWith("data: {\"token\""));

        long t0 = System.nanoTime();
        server.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;

        List<String> tail = new ArrayList<>();
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("data: ")) {
                tail.add(line);
            }
        }
        System.out.printf("close with a stream running: %d ms (grace 1 s)%n", ms);
        // the stream ran on for most of the grace period; it is ended 0.3 s before the grace period runs out
        assertTrue(ms >= 650, "close waited for the grace period: " + ms + " ms");
        assertFalse(tail.isEmpty());
        assertTrue(tail.getLast().matches("data: \\{\"error\": \"the server is shutting down\", \"done\": true,"
                + " \"finish_reason\": \"cancelled\", \"request_id\": \"[0-9a-f]{24}\"}"), tail.getLast());
        assertTrue(Workers.all().isEmpty(), "workers outlived the server: " + Workers.all());
    }

    @Test
    void mainCommand_printsWhereItListens_andStopsOnSigterm_endingItsWorkers() throws Exception {
        Files.writeString(dir.resolve(".env"), """
                # written by the test, as ./cerebrum writes one
                CEREBRUM_API_KEY=%s
                CEREBRUM_VPS_PORT=0
                MAX_CPU_PERCENT=100
                CEREBRUM_MIN_FREE_RAM_MB=0
                """.formatted(TestServer.KEY));
        Process process = launch(dir, Map.of());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            Matcher listening = Pattern.compile("Cerebrum backend listening on http://127\\.0\\.0\\.1:(\\d+)").matcher("");
            String line;
            do {
                line = out.readLine();
                assertTrue(line != null, "the server printed no address");
            } while (!listening.reset(line).find());
            Http http = new Http(java.net.URI.create("http://127.0.0.1:" + listening.group(1)));
            assertEquals("def", http.post("/v1/inference",
                    "{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": 3, \"temperature\": 0}", KEY).json()
                    .get("result"));
            List<ProcessHandle> workers = process.descendants()
                    .filter(p -> p.info().commandLine().map(c -> c.contains("WorkerMain")).orElse(false)).toList();
            assertEquals(1, workers.size());

            process.destroy(); // SIGTERM

            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server stopped");
            for (ProcessHandle worker : workers) {
                assertTrue(worker.onExit().get(10, TimeUnit.SECONDS).isAlive() == false);
            }
            String log = Files.readString(dir.resolve("logs/backend.log"));
            assertTrue(log.contains("stopping: running requests have"), log);
            assertTrue(log.contains("CerebrumServer: stopped"), log);
            assertFalse(log.contains(TestServer.KEY));
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void mainCommand_withoutAKey_exitsWith2_andSaysWhy() throws Exception {
        Process process = launch(dir, Map.of("CEREBRUM_API_KEY", ""));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, process.exitValue(), err);
        assertTrue(err.contains("CEREBRUM_API_KEY is not set: the server refuses to start"), err);
    }

    /** Runs the command the launcher runs: the packaged jar and its copied dependencies, on the module path. */
    static Process launch(Path workDir, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ServerProcess.command()).directory(workDir.toFile());
        Map<String, String> environment = pb.environment();
        environment.keySet().removeIf(k -> k.startsWith("CEREBRUM_") || k.equals("VPS_BIND_IP")
                || k.equals("MAX_CPU_PERCENT") || k.equals("ALLOWED_CM4_IP"));
        environment.putAll(new HashMap<>(env));
        pb.redirectError(env.isEmpty() ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.PIPE);
        return pb.start();
    }
}
