package dev.cerebrum.server;

import dev.cerebrum.guard.ModelStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-process engine ({@code CEREBRUM_ENGINE=ffm-inprocess}) behind real HTTP: the known answers, one event
 * per token, no worker process, a client that goes away frees its slot, the deadline (3 s here), and a forced
 * unload. The model {@code long} has one slot, and a 60000-token generation would keep it busy for minutes.
 */
class InProcessEngineIT {
    private static final String[] KEY = {"X-API-Key", TestServer.KEY};

    @TempDir
    static Path dir;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("CEREBRUM_ENGINE", "ffm-inprocess",
                "CEREBRUM_GENERATION_TIMEOUT_SECONDS", "3"));
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ModelStatus status() {
        return server.server.manager().status("long");
    }

    private static boolean idle() {
        ModelStatus s = status();
        return s.slotsBusy() == 0 && s.inFlight() == 0 && s.queued() == 0;
    }

    @Test
    void knownAnswers_plainAndStreamed_withoutAWorkerProcess() throws Exception {
        Http.Response plain = http.post("/v1/inference", "{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": 8,"
                + " \"temperature\": 0}", KEY);
        assertEquals(200, plain.status(), plain.body());
        assertEquals("defghijk", plain.json().get("result"));
        assertEquals("length", plain.json().get("finish_reason"));

        List<String> data;
        try (BufferedReader lines = http.openLines("/v1/inference/stream", "{\"prompt\": \"abc\", \"model\": \"demo\","
                + " \"max_tokens\": 3, \"temperature\": 0}", KEY)) {
            data = lines.lines().filter(l -> l.startsWith("data: ")).toList();
        }
        assertEquals(List.of("data: {\"token\": \"d\", \"total_tokens\": 1}", "data: {\"token\": \"e\", \"total_tokens\": 2}",
                "data: {\"token\": \"f\", \"total_tokens\": 3}"), data.subList(0, 3));
        assertTrue(data.get(3).contains("\"finish_reason\": \"length\""), data.get(3));
        assertEquals(List.of(), Workers.all(), "the model runs in the server's process");
    }

    @Test
    void streamClosedByTheClient_cancelsTheGeneration_andFreesTheSlot() {
        long tokensBefore = status().completionTokens();
        try (RawConnection stream = RawConnection.open(server.server.port())) {
            stream.send(TestServer.rawPost("/v1/inference/stream", TestServer.LONG_BODY)).awaitAnswer(Duration.ofSeconds(30));
            Workers.await("the long generation holds the slot", 5_000, () -> status().slotsBusy() == 1);
        }

        long ms = Workers.await("the slot is free again", 5_000, InProcessEngineIT::idle);
        System.out.printf("in-process: slot freed %d ms after the client disconnected%n", ms);
        assertTrue(ms <= 1_500, "the slot took " + ms + " ms to free");
        long generated = status().completionTokens() - tokensBefore;
        assertTrue(generated > 0 && generated < 60000, "the generation was cut short after " + generated + " tokens");
    }

    @Test
    void nonStreamRequestClosedByTheClient_cancelsTheGeneration_andFreesTheSlot() {
        long tokensBefore = status().completionTokens();
        try (RawConnection plain = RawConnection.open(server.server.port())) {
            plain.send(TestServer.rawPost("/v1/inference", TestServer.LONG_BODY));
            Workers.await("the long generation holds the slot", 30_000, () -> status().slotsBusy() == 1);
        }

        long ms = Workers.await("the slot is free again", 5_000, InProcessEngineIT::idle);
        System.out.printf("in-process, non-stream: slot freed %d ms after the client disconnected%n", ms);
        assertTrue(ms <= 1_500, "the slot took " + ms + " ms to free");
        assertTrue(status().completionTokens() - tokensBefore < 60000, "the generation ran to its end");
        assertEquals("bcd", http.post("/v1/inference", "{\"prompt\": \"a\", \"model\": \"long\", \"max_tokens\": 3,"
                + " \"temperature\": 0}", KEY).json().get("result"));
    }

    @Test
    void forcedUnload_endsARunningStreamWithACancelledEvent_andTheModelLoadsAgain() throws Exception {
        Workers.await("the long model is idle", 5_000, InProcessEngineIT::idle);
        try (BufferedReader lines = http.openLines("/v1/inference/stream", TestServer.LONG_BODY, KEY)) {
            Workers.await("the long generation holds the slot", 30_000, () -> status().slotsBusy() == 1);

            Http.Response unload = http.post("/v1/unload/long?force=true", null, KEY);

            assertEquals(200, unload.status(), unload.body());
            assertEquals(1, unload.json().get("cancelled_generations"));
            String last = Http.lastDataLine(lines);
            assertTrue(last.contains("\"finish_reason\": \"cancelled\""), last);
        }
        assertEquals(200, http.post("/v1/load/long", null, KEY).status());
        assertEquals("bcd", http.post("/v1/inference", "{\"prompt\": \"a\", \"model\": \"long\", \"max_tokens\": 3,"
                + " \"temperature\": 0}", KEY).json().get("result"));
    }

    @Test
    void generationPastItsDeadline_endsWithLengthAndTheTextSoFar_andFreesTheSlot() {
        Workers.await("the long model is idle", 5_000, InProcessEngineIT::idle);
        long start = System.nanoTime();
        Http.Response r = http.post("/v1/inference", TestServer.LONG_BODY, KEY);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(200, r.status(), r.body());
        assertEquals("length", r.json().get("finish_reason"));
        assertEquals(true, r.json().get("deadline_exceeded"));
        assertTrue(((String) r.json().get("result")).startsWith("bcdefghijklmnopqrstuvwxyz"), r.body());
        assertTrue(seconds >= 2.9 && seconds < 15, seconds + " s");
        Workers.await("the slot is free", 5_000, InProcessEngineIT::idle);
    }
}
