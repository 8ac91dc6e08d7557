package dev.cerebrum.server;

import dev.cerebrum.guard.ModelStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generation deadline on a real server: {@code CEREBRUM_GENERATION_TIMEOUT_SECONDS} of 1.5 s cuts a
 * 60000-token generation short with {@code finish_reason} {@code length} and {@code deadline_exceeded}, keeps the
 * text so far, and frees the slot.
 */
class DeadlineIT {
    private static final String[] KEY = {"X-API-Key", TestServer.KEY};

    @TempDir
    static Path dir;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("CEREBRUM_GENERATION_TIMEOUT_SECONDS", "1.5"));
        http = server.http();
        Http.Response load = http.post("/v1/load/long", null, KEY);
        assertEquals(200, load.status(), load.body());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ModelStatus status() {
        return server.server.manager().status("long");
    }

    @Test
    void nonStreamGeneration_pastItsDeadline_endsWithLengthAndTheTextSoFar_andFreesTheSlot() {
        long start = System.nanoTime();
        Http.Response r = http.post("/v1/inference", TestServer.LONG_BODY, KEY);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(200, r.status(), r.body());
        Map<String, Object> j = r.json();
        assertEquals("length", j.get("finish_reason"));
        assertEquals(true, j.get("deadline_exceeded"));
        int tokens = ((Number) j.get("completion_tokens")).intValue();
        assertTrue(tokens > 0 && tokens < 60000, r.body());
        assertTrue(((String) j.get("result")).startsWith("bcdefghijklmnopqrstuvwxyz"), r.body());
        assertTrue(seconds >= 1.4 && seconds < 10, seconds + " s");
        Workers.await("the slot is free", 5_000, () -> status().slotsBusy() == 0 && status().inFlight() == 0);
    }

    @Test
    void streamPastItsDeadline_endsWithADoneEventSayingSo() throws Exception {
        String done;
        try (BufferedReader lines = http.openLines("/v1/inference/stream", TestServer.LONG_BODY, KEY)) {
            done = Http.lastDataLine(lines);
        }

        assertTrue(done.contains("\"done\": true"), done);
        assertTrue(done.contains("\"finish_reason\": \"length\", \"deadline_exceeded\": true"), done);
        Workers.await("the slot is free", 5_000, () -> status().slotsBusy() == 0 && status().inFlight() == 0);
        Http.Response after = http.post("/v1/inference", "{\"prompt\": \"abc\", \"model\": \"long\", \"max_tokens\": 3,"
                + " \"temperature\": 0}", KEY);
        assertEquals(200, after.status(), after.body());
        assertEquals(false, after.json().get("deadline_exceeded"));
        assertEquals("def", after.json().get("result"));
    }
}
