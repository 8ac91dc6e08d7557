package dev.cerebrum.server;

import dev.cerebrum.guard.HostProbe;
import dev.cerebrum.guard.HostSample;
import dev.cerebrum.guard.ModelState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 503 refusals, with the original's fields the orchestrator reads to fall back. CPU and RAM readings come
 * from a probe the test sets; the manager samples it every 50 ms.
 */
class OverloadIT {
    private static final long GB = 1024L * 1024 * 1024;
    private static final HostSample CALM = new HostSample(5, 20 * GB, 24 * GB);
    private static final String[] KEY = {"X-API-Key", TestServer.KEY};
    private static final String BODY = "{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": 2}";

    @TempDir
    static Path dir;
    @TempDir
    static Path slowDir;
    static volatile HostSample reading = CALM;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        HostProbe probe = () -> reading;
        server = TestServer.start(dir, Map.of("MAX_CPU_PERCENT", "70", "CEREBRUM_MIN_FREE_RAM_MB", "1024",
                "CEREBRUM_CPU_SAMPLE_MS", "50"), probe);
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void calmDown() {
        setReading(CALM, "healthy");
    }

    private static void setReading(HostSample sample, String healthStatus) {
        reading = sample;
        Workers.await("/health says " + healthStatus, 5_000,
                () -> healthStatus.equals(http.get("/health").json().get("status")));
    }

    private static void assertOverloaded(Http.Response r, String code, String reasonPart) {
        assertEquals(503, r.status(), r.body());
        Map<String, Object> e = r.json();
        assertEquals("VPS overloaded", e.get("error"));
        assertEquals(code, e.get("code"));
        assertTrue(((String) e.get("reason")).contains(reasonPart), r.body());
        assertEquals("Fallback to CM4 local inference", e.get("suggestion"));
        assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1, r.body());
    }

    @Test
    void cpuOverTheLimit_refusesNewWorkWith503_butNeverTheAdminEndpoints() {
        setReading(new HostSample(95, 20 * GB, 24 * GB), "overloaded");

        Map<String, Object> health = http.get("/health").json();
        assertEquals(false, health.get("available"));
        assertEquals(95.0, health.get("cpu_usage_percent"));
        Http.Response ready = http.get("/health/ready");
        assertEquals(503, ready.status());
        assertEquals(Map.of("status", "DOWN"), ready.json());

        assertOverloaded(http.post("/v1/inference", BODY, KEY), "overloaded", "above the limit of 70%");
        assertOverloaded(http.post("/v1/inference/stream", BODY, KEY), "overloaded", "CPU");

        // the calls that free the machine, and the read-only ones, still work
        assertEquals(200, http.post("/v1/load/demo", null, KEY).status());
        assertEquals(200, http.get("/v1/models", KEY).status());
        assertEquals(200, http.get("/v1/stats", KEY).status());
        assertEquals(200, http.post("/v1/unload/demo", null, KEY).status());
        assertEquals(200, http.post("/v1/cleanup", null, KEY).status());
        @SuppressWarnings("unchecked")
        Map<String, Object> refusals = (Map<String, Object>) http.get("/v1/stats", KEY).json().get("refusals");
        assertTrue(((Number) refusals.get("cpu")).intValue() >= 2, refusals.toString());

        setReading(CALM, "healthy");
        assertEquals("de", http.post("/v1/inference", "{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": 2,"
                + " \"temperature\": 0}", KEY).json().get("result"));
    }

    @Test
    void tooLittleRam_refusesALoadWith503_namingTheNumbers() {
        setReading(new HostSample(5, 200L * 1024 * 1024, 24 * GB), "overloaded");
        assertTrue(((String) http.get("/health").json().get("reason")).contains("200 MB"));

        for (Http.Response r : List.of(http.post("/v1/load/qwen_7b", null, KEY),
                http.post("/v1/inference", "{\"prompt\": \"abc\", \"model\": \"codellama_7b\"}", KEY))) {
            assertOverloaded(r, "overloaded", "MB");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> refusals = (Map<String, Object>) http.get("/v1/stats", KEY).json().get("refusals");
        assertTrue(((Number) refusals.get("memory")).intValue() >= 1, refusals.toString());
    }

    @Test
    void aBrokenRegistryEntry_is503ModelUnavailable_withAReasonWithoutAPath() {
        for (String path : List.of("/v1/inference", "/v1/inference/stream")) {
            Http.Response r = http.post(path, "{\"prompt\": \"abc\", \"model\": \"broken\"}", KEY);
            assertOverloaded(r, "model_unavailable", "no-such-model.gguf");
        }
    }

    @Test
    void aLoadSlowerThanTheLoadTimeout_is503LoadTimeout_andTheModelServesOnceLoaded() {
        try (TestServer slow = TestServer.start(slowDir, Map.of("CEREBRUM_LOAD_TIMEOUT_SECONDS", "0.001"))) {
            Http slowHttp = slow.http();

            assertOverloaded(slowHttp.post("/v1/inference", BODY, KEY), "load_timeout", "loading did not finish");

            Workers.await("the load finishes in the background", 30_000,
                    () -> slow.server.manager().status("demo").state() == ModelState.READY);
            assertEquals(200, slowHttp.post("/v1/inference", BODY, KEY).status());
        }
    }
}
