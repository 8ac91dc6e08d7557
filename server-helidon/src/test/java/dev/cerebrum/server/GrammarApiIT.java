package dev.cerebrum.server;

import dev.cerebrum.grammar.testing.GrammarCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Grammars over real HTTP: a refused grammar is a 400 naming the problem, and never disturbs the model. */
class GrammarApiIT {
    private static final String[] KEY = {"X-API-Key", TestServer.KEY};

    @TempDir
    static Path dir;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of());
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String body(String model, String prompt, int maxTokens, String grammar) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", prompt);
        body.put("model", model);
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
        body.put("grammar", grammar);
        return Json.write(body);
    }

    private static void assertRefused(Http.Response r, String field, String message) {
        assertEquals(400, r.status(), r.body());
        Map<String, Object> e = r.json();
        assertEquals("invalid_request", e.get("code"), r.body());
        assertEquals(field, e.get("field"), r.body());
        assertTrue(((String) e.get("message")).contains(message), r.body());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains("/tmp"), r.body());
    }

    @Test
    void malformedGrammar_is400_namingTheFieldAndTheProblem_onBothRoutes() {
        for (String path : List.of("/v1/inference", "/v1/inference/stream")) {
            Http.Response r = http.post(path, body("demo", "abc", 5, "root ::= foo"), KEY);

            assertRefused(r, "grammar", "invalid grammar: line 1, column 10: rule 'foo' is used but never defined");
        }
    }

    @Test
    void everyMalformedAndHostileGrammar_is400() {
        List<GrammarCorpus.Refused> refused = new ArrayList<>(GrammarCorpus.malformed());
        refused.addAll(GrammarCorpus.hostile());
        for (GrammarCorpus.Refused g : refused) {
            String request = body("demo", "abc", 5, g.text());
            if (request.length() > (1 << 20)) {
                continue;
            }
            Http.Response r = http.post("/v1/inference", request, KEY);
            if (g.text().indexOf('\0') >= 0) {
                // a NUL anywhere in the request is refused before the grammar is read
                assertEquals(400, r.status(), g.name());
                continue;
            }
            if (g.text().chars().anyMatch(c -> Character.isSurrogate((char) c))) {
                continue; // UTF-8 cannot carry an unpaired surrogate: see the escaped one below
            }
            assertRefused(r, "grammar", g.message());
        }
        String escapedSurrogate = "{\"prompt\": \"a\", \"model\": \"demo\", \"grammar\": \"root ::= \\\"\\ud800\\\"\"}";
        assertRefused(http.post("/v1/inference", escapedSurrogate, KEY), "grammar", "unpaired surrogate");
    }

    @Test
    void grammar_changesTheOutput() {
        Http.Response r = http.post("/v1/inference", body("demo", "abc", 8, "root ::= \"xyz\""), KEY);

        assertEquals(200, r.status(), r.body());
        assertEquals("xyz", r.json().get("result"), r.body());
    }

    @Test
    void grammarWithIgnoreEos_is400() {
        String request = body("demo", "abc", 8, "root ::= \"xyz\"").replace("}", ", \"ignore_eos\": true}");

        assertRefused(http.post("/v1/inference", request, KEY), "ignore_eos", "cannot be combined with a grammar");
    }

    @Test
    void refusedGrammars_leaveABystandersStreamOnTheSameModel_toComplete() throws Exception {
        // a 300-token stream on the demo model, read to the end while hostile requests come in
        HttpResponse<InputStream> stream = http.open(http.request("/v1/inference/stream", KEY)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"prompt\": \"a\", \"model\": \"demo\", \"max_tokens\": 200, \"temperature\": 0,"
                                + " \"ignore_eos\": true}")).build());
        assertEquals(200, stream.statusCode());
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String first = in.readLine();
            while (first != null && !first.startsWith("data: ")) {
                first = in.readLine();
            }
            lines.add(first);

            for (GrammarCorpus.Refused g : GrammarCorpus.hostile().subList(1, 8)) {
                assertEquals(400, http.post("/v1/inference", body("demo", "abc", 5, g.text()), KEY).status(), g.name());
            }
            Http.Response valid = http.post("/v1/inference", body("demo", "abc", 8, "root ::= \"xyz\""), KEY);
            assertEquals("xyz", valid.json().get("result"), valid.body());

            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("data: ")) {
                    lines.add(line);
                }
            }
        }
        String last = lines.getLast();
        assertTrue(last.startsWith("data: {\"done\": true, \"total_tokens\": 200, "), last);
        assertTrue(last.contains("\"finish_reason\": \"length\""), last);
        assertEquals(201, lines.size(), "200 token events and the end");
    }
}
