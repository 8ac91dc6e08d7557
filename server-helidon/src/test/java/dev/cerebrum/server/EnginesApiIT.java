package dev.cerebrum.server;

import dev.cerebrum.engine.EngineUnavailableException;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.gguf.ModelShape.Architecture;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Engines over real HTTP: the qwen3 and qwen3moe known-answer models on the default engine (ffm), the old
 * engine's refusal of a qwen3 model, and a server without the ffm engine's libraries, which still serves the
 * models the old engine loads and says which need the new one and how to get it.
 */
class EnginesApiIT {
    private static final String[] KEY = {"X-API-Key", TestServer.KEY};
    private static final String REGISTRY = """
            models:
              coder:
                path: %1$s
                ctx_size: 512
              coder_moe:
                path: %2$s
                ctx_size: 512
              coder_old:
                path: %1$s
                ctx_size: 512
                engine: llamacpp
              demo:
                path: %3$s
                ctx_size: 512
              demo_old:
                path: %3$s
                ctx_size: 512
                engine: llamacpp
            """;

    @TempDir
    static Path dir;
    static CerebrumServer server;
    static Http http;

    @BeforeAll
    static void start() throws IOException {
        requireTheFfmLibraries();
        server = start(dir.resolve("with-ffm"), Map.of());
        http = new Http(java.net.URI.create("http://127.0.0.1:" + server.port()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The server's default natives folder holds the libraries the build fetched; without npm, the test skips. */
    private static void requireTheFfmLibraries() throws IOException {
        try {
            InferenceEngines.create("ffm", EngineOptions.of(Files.createDirectories(dir.resolve("probe")))).close();
        } catch (EngineUnavailableException e) {
            if (System.getenv("CI") != null) {
                fail("the ffm engine's libraries are missing: " + e.remedy());
            }
            assumeTrue(false, "the ffm engine's libraries are missing: " + e.remedy());
        }
    }

    private static CerebrumServer start(Path home, Map<String, String> settings) throws IOException {
        Files.createDirectories(home.resolve("models"));
        Files.writeString(home.resolve("models/models.yaml"), REGISTRY.formatted(
                TestModels.successor(Architecture.QWEN3).toAbsolutePath(),
                TestModels.successor(Architecture.QWEN3MOE).toAbsolutePath(),
                TestModels.successor().toAbsolutePath()));
        Map<String, String> all = TestServer.baseSettings(home);
        all.putAll(settings);
        return CerebrumServer.start(all);
    }

    private static String body(String prompt, String model, int maxTokens) {
        return "{\"prompt\": \"" + prompt + "\", \"model\": \"" + model + "\", \"max_tokens\": " + maxTokens
                + ", \"temperature\": 0}";
    }

    @Test
    void qwen3Models_giveTheirKnownAnswers_onTheDefaultEngine() {
        for (String model : List.of("coder", "coder_moe")) {
            Http.Response r = http.post("/v1/inference", body("abc", model, 8), KEY);

            assertEquals(200, r.status(), r.body());
            Map<String, Object> j = r.json();
            assertEquals("defghijk", j.get("result"), model);
            assertEquals(8, j.get("completion_tokens"), model);
            assertEquals(3, j.get("prompt_tokens"), model + ": byte-level BPE, no BOS");
            assertEquals("length", j.get("finish_reason"), model);
        }
    }

    @Test
    void qwen3Model_streams_oneEventPerToken_thenStopAtTheEndOfSequence() throws IOException {
        HttpResponse<InputStream> r = http.open(http.request("/v1/inference/stream", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body("w", "coder", 50))).build());
        String text;
        try (InputStream in = r.body()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        assertEquals(200, r.statusCode());
        List<String> data = text.lines().filter(l -> l.startsWith("data: ")).toList();
        assertEquals(4, data.size(), text);
        assertEquals("data: {\"token\": \"x\", \"total_tokens\": 1}", data.get(0));
        assertEquals("data: {\"token\": \"y\", \"total_tokens\": 2}", data.get(1));
        assertEquals("data: {\"token\": \"z\", \"total_tokens\": 3}", data.get(2));
        assertTrue(data.get(3).contains("\"finish_reason\": \"stop\""), data.get(3));
    }

    @Test
    void qwen3Model_stopStringsAcrossTokens_aGrammar_andAFullContext_overHttp() {
        // a stop string spanning three tokens: nothing of it is sent
        Map<String, Object> stop = http.post("/v1/inference", "{\"prompt\": \"abc\", \"model\": \"coder\","
                + " \"max_tokens\": 20, \"temperature\": 0, \"stop\": [\"fgh\"]}", KEY).json();
        assertEquals("de", stop.get("result"));
        assertEquals("stop", stop.get("finish_reason"));
        assertEquals(2, stop.get("completion_tokens"));

        // a grammar changes the output
        Map<String, Object> grammar = http.post("/v1/inference", "{\"prompt\": \"abc\", \"model\": \"coder\","
                + " \"max_tokens\": 8, \"temperature\": 0, \"grammar\": \"root ::= \\\"xyz\\\"\"}", KEY).json();
        assertEquals("xyz", grammar.get("result"), grammar.toString());

        // a prompt that leaves 3 of the slot's 512 cells: the ffm engine decodes them and samples one more
        Map<String, Object> full = http.post("/v1/inference", "{\"prompt\": \"" + "a".repeat(509) + "\", \"model\":"
                + " \"coder\", \"max_tokens\": 100, \"temperature\": 0, \"ignore_eos\": true}", KEY).json();
        assertEquals(509, full.get("prompt_tokens"), full.toString());
        assertEquals("length", full.get("finish_reason"));
        assertEquals("bcde", full.get("result"));
        assertEquals(4, full.get("completion_tokens"));
    }

    @Test
    void theOldEngine_refusesAQwen3Model_namingTheEngineThatLoadsIt_andServesItsOwnModels() {
        Http.Response refused = http.post("/v1/inference", body("abc", "coder_old", 8), KEY);

        assertEquals(503, refused.status(), refused.body());
        assertEquals("model_unavailable", refused.json().get("code"));
        String message = (String) refused.json().get("message");
        assertTrue(message.contains("model file 'successor-qwen3.gguf' has the architecture 'qwen3', which the llamacpp"
                + " engine (llama.cpp b4916 (de.kherud:llama 4.2.0)) cannot load; the ffm engine can (engine: ffm in the"
                + " model's registry entry)"), message);
        assertEquals("defghijk", http.post("/v1/inference", body("abc", "demo_old", 8), KEY).json().get("result"));
        assertEquals("defghijk", http.post("/v1/inference", body("abc", "demo", 8), KEY).json().get("result"));
    }

    @Test
    void withoutTheFfmLibraries_theServerServesWithTheOldEngine_andSaysWhichModelsNeedTheNewOne() throws Exception {
        // given a server whose natives folder is empty
        Path home = dir.resolve("without-ffm");
        Path empty = Files.createDirectories(home.resolve("no-natives"));
        try (CerebrumServer fallback = start(home, Map.of("CEREBRUM_LLAMA_NATIVES_DIR", empty.toString()))) {
            Http h = new Http(java.net.URI.create("http://127.0.0.1:" + fallback.port()));

            // then the llama models run on the old engine, those of the default engine included
            assertEquals("defghijk", h.post("/v1/inference", body("abc", "demo", 8), KEY).json().get("result"));
            assertEquals("defghijk", h.post("/v1/inference", body("abc", "demo_old", 8), KEY).json().get("result"));

            // and the qwen3 models are unavailable, saying the ffm engine can load them but is not installed
            Http.Response coder = h.post("/v1/inference", body("abc", "coder", 8), KEY);
            assertEquals(503, coder.status(), coder.body());
            String message = (String) coder.json().get("message");
            assertTrue(message.contains("which the llamacpp engine (llama.cpp b4916 (de.kherud:llama 4.2.0)) cannot"
                    + " load; the ffm engine can, but it is not available on this server: the llama.cpp libraries of"
                    + " the ffm engine"), message);
            assertFalse(message.contains(empty.toString()), "no path in a client's message: " + message);
            assertEquals(200, h.get("/health").status());

            // and the start-up log names those models and how to get the engine
            String log = Files.readString(home.resolve("logs").resolve(ServerLogging.FILE_NAME));
            assertTrue(log.contains("engines: [llamacpp], the default for models that name none: llamacpp"), log);
            assertTrue(log.contains("the default engine 'ffm' is not available, so models that name no engine run on"
                    + " 'llamacpp'"), log);
            assertTrue(log.contains("models [coder, coder_moe, coder_old] need the ffm engine, which is not available on this"
                    + " server; to get it: the folder " + empty + " holds no libllama.so; fetch the pinned libraries"
                    + " with engine-ffm/natives/fetch-natives.sh"), log);
        }
    }
}
