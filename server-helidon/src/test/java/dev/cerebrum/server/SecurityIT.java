package dev.cerebrum.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The allowlist and the failed-authentication limit, each on its own server. */
class SecurityIT {
    private static final String BODY = "{\"prompt\": \"abc\", \"model\": \"demo\", \"max_tokens\": 2}";

    @TempDir
    static Path fenced;
    @TempDir
    static Path limited;
    static TestServer fencedServer;
    static TestServer limitedServer;

    @BeforeAll
    static void start() {
        // loopback is not in the list, so every test request comes from a peer that is not allowed
        fencedServer = TestServer.start(fenced, Map.of("ALLOWED_CM4_IP", "100.64.0.0/10,fd7a:115c:a1e0::/48"));
        limitedServer = TestServer.start(limited, Map.of("CEREBRUM_AUTH_FAILURES_PER_MINUTE", "3"));
    }

    @AfterAll
    static void stop() {
        fencedServer.close();
        limitedServer.close();
    }

    @Test
    void peerOutsideTheAllowlist_gets403Everywhere_exceptThePublicHealthEndpoints() {
        Http http = fencedServer.http();
        String[] key = {"X-API-Key", TestServer.KEY};

        for (String path : List.of("/health", "/health/live", "/health/ready")) {
            assertEquals(200, http.get(path).status(), path);
        }
        for (Http.Response r : List.of(http.get("/v1/models", key), http.get("/v1/stats", key),
                http.get("/metrics", key), http.post("/v1/inference", BODY, key),
                http.post("/v1/inference/stream", BODY, key), http.post("/v1/load/demo", null, key),
                http.post("/v1/unload/demo", null, key), http.post("/v1/cleanup", null, key),
                http.get("/v1/nothing", key), http.get("/v1/models"))) {
            assertEquals(403, r.status(), r.body());
            assertEquals("forbidden", r.json().get("error"));
            assertEquals(r.header("X-Request-ID"), r.json().get("request_id"));
        }
    }

    @Test
    void repeatedFailedAuthentication_isRateLimitedPerPeer_evenForTheRightKey() {
        Http http = limitedServer.http();
        for (int i = 0; i < 3; i++) {
            assertEquals(401, http.get("/v1/models", "X-API-Key", "guess-" + i).status());
        }

        Http.Response limited = http.get("/v1/models", "X-API-Key", TestServer.KEY);

        assertEquals(429, limited.status(), limited.body());
        assertEquals("rate_limited", limited.json().get("error"));
        int retryAfter = Integer.parseInt(limited.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals(retryAfter, limited.json().get("retry_after_seconds"));
        assertEquals(429, http.post("/v1/inference", BODY, "Authorization", "Bearer " + TestServer.KEY).status());
        // health stays public and unaffected
        assertEquals(200, http.get("/health").status());
    }
}
