package dev.cerebrum.server;

import dev.cerebrum.gguf.SuccessorModel;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAI-compatible routes at the level of bytes, where stock clients cannot look: exact SSE streams with
 * {@code [DONE]}, the error body, chat templates from the GGUF and from the registry, a model without one, and
 * both model lists in one {@code /v1/models} body. The SDK tests are in the {@code openai-compat} module.
 */
class OpenAiApiIT {
    private static final String[] KEY = {"Authorization", "Bearer " + TestServer.KEY};
    private static final Pattern CREATED = Pattern.compile("\"created\": (\\d+)");

    @TempDir
    static Path dir;
    static TestServer server;
    static Http http;

    @BeforeAll
    static void start() throws IOException {
        Path models = dir.resolve("models");
        Files.createDirectories(models);
        // The registry's templates: one that echoes the contents after bos_token, one that refuses system
        // messages, one that does not parse.
        Files.writeString(models.resolve("echo.jinja"),
                "{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}");
        Files.writeString(models.resolve("strict.jinja"), "{% for m in messages %}{% if m['role'] == 'system' %}"
                + "{{ raise_exception('System role not supported') }}{% endif %}{{ m['content'] }}{% endfor %}");
        Files.writeString(models.resolve("broken.jinja"), "{% for m in %}");
        String chat = TestModels.chatMl().toAbsolutePath().toString();
        String plain = TestModels.successor().toAbsolutePath().toString();
        server = TestServer.startWithRegistry(dir, """
                models:
                  chat:
                    path: %1$s
                    ctx_size: 1024
                    parallel: 2
                  plain:
                    path: %2$s
                    ctx_size: 512
                    parallel: 1
                  echo:
                    path: %2$s
                    ctx_size: 512
                    parallel: 1
                    chat_template: echo.jinja
                  strict:
                    path: %2$s
                    chat_template: strict.jinja
                  badtemplate:
                    path: %2$s
                    chat_template: broken.jinja
                  longchat:
                    path: %3$s
                    ctx_size: 65536
                    parallel: 1
                  gone:
                    path: no-such-model.gguf
                """.formatted(chat, plain, TestModels.chatMlLongContext().toAbsolutePath()), Map.of(
                "CEREBRUM_MAX_BODY_BYTES", "8192",
                "CEREBRUM_MAX_PROMPT_CHARS", "2000",
                "CEREBRUM_MAX_TOKENS_LIMIT", "70000",
                "CEREBRUM_AUTH_FAILURES_PER_MINUTE", "0"));
        http = server.http();
        // Loaded now, so that no stream below waits long enough for a heartbeat.
        assertEquals(200, http.post("/v1/load/chat", null, KEY).status());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String chat(String model, String content, String more) {
        return "{\"model\": \"" + model + "\", \"messages\": [{\"role\": \"user\", \"content\": \"" + content + "\"}], "
                + "\"temperature\": 0" + more + "}";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    /** The error body of the OpenAI routes: exactly {"error": {message, type, code, param}}. */
    private static Map<String, Object> openAiError(Http.Response r, int status, String type, String code, String param) {
        assertEquals(status, r.status(), r.body());
        assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
        Map<String, Object> body = r.json();
        assertEquals(List.of("error"), List.copyOf(body.keySet()), r.body());
        Map<String, Object> error = map(body.get("error"));
        assertEquals(List.of("message", "type", "code", "param"), List.copyOf(error.keySet()), r.body());
        assertInstanceOf(String.class, error.get("message"));
        assertEquals(type, error.get("type"), r.body());
        assertEquals(code, error.get("code"), r.body());
        assertEquals(param, error.get("param"), r.body());
        return error;
    }

    /** A stream's bytes as text, with heartbeats removed and each "created" checked and replaced by "T". */
    private static String streamText(String path, String body, String requestId) {
        HttpResponse<InputStream> r = http.open(http.request(path, "Authorization", "Bearer " + TestServer.KEY,
                "X-Request-ID", requestId).POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        try (InputStream in = r.body()) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(": keep-alive\n\n", "");
            Matcher m = CREATED.matcher(text);
            long now = Instant.now().getEpochSecond();
            while (m.find()) {
                assertTrue(Math.abs(now - Long.parseLong(m.group(1))) < 60, m.group());
            }
            return m.replaceAll("\"created\": T");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** OpenAI's usage, with the prompt tokens found in a slot's cache (a repeated prompt may find some). */
    private static void assertUsage(int prompt, int completion, Object usage) {
        Map<String, Object> u = map(usage);
        assertEquals(List.of(prompt, completion, prompt + completion),
                List.of(u.get("prompt_tokens"), u.get("completion_tokens"), u.get("total_tokens")), u.toString());
        int cached = ((Number) map(u.get("prompt_tokens_details")).get("cached_tokens")).intValue();
        assertTrue(cached >= 0 && cached < prompt, u.toString());
    }

    private static String chatChunk(String id, String delta, String finishReason, boolean usage) {
        return "data: {\"id\": \"" + id + "\", \"object\": \"chat.completion.chunk\", \"created\": T, \"model\": \"chat\", "
                + "\"choices\": [{\"index\": 0, \"delta\": " + delta + ", \"logprobs\": null, \"finish_reason\": "
                + finishReason + "}]" + (usage ? ", \"usage\": null" : "") + "}\n\n";
    }

    // ------------------------------------------------------------------ chat

    @Test
    void chat_knownAnswer_hasOpenAisShape_andStopsAtTheTemplatesEndOfTurn() {
        Http.Response r = http.post("/v1/chat/completions", chat("chat", "hi", ""), KEY);

        assertEquals(200, r.status(), r.body());
        Map<String, Object> j = r.json();
        assertEquals("chatcmpl-" + r.header("X-Request-ID"), j.get("id"));
        assertEquals("chat.completion", j.get("object"));
        assertTrue(Math.abs(Instant.now().getEpochSecond() - ((Number) j.get("created")).longValue()) < 60);
        assertEquals("chat", j.get("model"));
        Map<String, Object> choice = map(list(j.get("choices")).getFirst());
        assertEquals(1, list(j.get("choices")).size());
        assertEquals(0, choice.get("index"));
        Map<String, Object> message = map(choice.get("message"));
        assertEquals("assistant", message.get("role"));
        // the whole alphabet, then <|im_end|> (not the vocabulary's EOS </s>) ends the turn
        assertEquals(SuccessorModel.CHAT_ANSWER, message.get("content"));
        assertNull(message.get("refusal"));
        assertTrue(choice.containsKey("logprobs") && choice.get("logprobs") == null);
        assertEquals("stop", choice.get("finish_reason"));
        // <s> <|im_start|> ▁user\nhi <|im_end|> ▁\n <|im_start|> ▁assistant\n: special tokens parsed as such
        assertUsage(25, 26, j.get("usage"));
    }

    @Test
    void chatStream_isExactlyOpenAisChunks_thenDone() {
        String id = "sse-chat-1";
        String text = streamText("/v1/chat/completions", chat("chat", "hi", ", \"max_tokens\": 3, \"stream\": true"), id);

        String c = "chatcmpl-" + id;
        assertEquals(chatChunk(c, "{\"role\": \"assistant\", \"content\": \"\"}", "null", false)
                + chatChunk(c, "{\"content\": \"a\"}", "null", false)
                + chatChunk(c, "{\"content\": \"b\"}", "null", false)
                + chatChunk(c, "{\"content\": \"c\"}", "null", false)
                + chatChunk(c, "{}", "\"length\"", false)
                + "data: [DONE]\n\n", text);
    }

    @Test
    void chatStream_withIncludeUsage_hasNullUsageOnEveryChunk_andAUsageChunkBeforeDone() {
        String id = "sse-chat-2";
        String text = streamText("/v1/chat/completions", "{\"model\": \"chat\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"hi\"}], \"temperature\": 0, \"stream\": true, \"stream_options\": {\"include_usage\": "
                + "true}, \"stop\": [\"d\"]}", id);

        String c = "chatcmpl-" + id;
        String expectedHead = chatChunk(c, "{\"role\": \"assistant\", \"content\": \"\"}", "null", true)
                + chatChunk(c, "{\"content\": \"a\"}", "null", true)
                + chatChunk(c, "{\"content\": \"b\"}", "null", true)
                + chatChunk(c, "{\"content\": \"c\"}", "null", true)
                + chatChunk(c, "{}", "\"stop\"", true)
                + "data: {\"id\": \"" + c + "\", \"object\": \"chat.completion.chunk\", \"created\": T, \"model\": \"chat\", "
                + "\"choices\": [], \"usage\": {\"prompt_tokens\": 25, \"completion_tokens\": 3, \"total_tokens\": 28, "
                + "\"prompt_tokens_details\": {\"cached_tokens\": ";
        assertTrue(text.startsWith(expectedHead), text);
        assertTrue(text.endsWith("}}\n\ndata: [DONE]\n\n"), text);
        assertEquals(7, text.split("\n\n").length, text);
    }

    @Test
    void chat_contentPartsAreJoinedWithNewlines_andContentIsNeverTemplateCode() {
        // echo renders "<s>" + the contents; "<s>" is dropped because llama.cpp adds BOS itself
        Http.Response parts = http.post("/v1/chat/completions", "{\"model\": \"echo\", \"max_tokens\": 4, "
                + "\"temperature\": 0, \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": "
                + "\"x\"}, {\"type\": \"text\", \"text\": \"ab\"}]}]}", KEY);
        assertEquals(200, parts.status(), parts.body());
        // the prompt is "x\nab", whose last letter b is followed by c, d, e, f
        assertEquals("cdef", map(map(list(parts.json().get("choices")).getFirst()).get("message")).get("content"));
        // <s> ▁ x <0x0A> a b: one BOS, not two
        assertEquals(6, map(parts.json().get("usage")).get("prompt_tokens"));

        Http.Response code = http.post("/v1/chat/completions", chat("echo", "{{ 7*7 }}", ", \"max_tokens\": 1"), KEY);
        assertEquals(200, code.status(), code.body());
        // <s> ▁ { { ▁ 7 * 7 ▁ } }: the text as it is, not "49"
        assertEquals(11, map(code.json().get("usage")).get("prompt_tokens"));
    }

    @Test
    void registryTemplate_overridesAModelWithout_andOneThatRaisesIsA400OnMessages() {
        Http.Response echo = http.post("/v1/chat/completions", chat("echo", "abc", ", \"max_tokens\": 5"), KEY);
        assertEquals(200, echo.status(), echo.body());
        assertEquals("defgh", map(map(list(echo.json().get("choices")).getFirst()).get("message")).get("content"));

        Http.Response raised = http.post("/v1/chat/completions", "{\"model\": \"strict\", \"messages\": ["
                + "{\"role\": \"developer\", \"content\": \"be brief\"}, {\"role\": \"user\", \"content\": \"hi\"}]}", KEY);
        Map<String, Object> error = openAiError(raised, 400, "invalid_request_error", "invalid_request", "messages");
        assertEquals("the model's chat template refused the conversation: System role not supported",
                error.get("message"));
    }

    @Test
    void modelWithoutTemplate_orWithOneThatDoesNotParse_isA400NamingTheModelAndTheFix() {
        Map<String, Object> none = openAiError(http.post("/v1/chat/completions", chat("plain", "hi", ""), KEY), 400,
                "invalid_request_error", "no_chat_template", "model");
        assertEquals("model 'plain' has no chat template: its GGUF file carries no tokenizer.chat_template. Set "
                + "chat_template: in the models registry to a Jinja template file, or send a raw prompt to "
                + "/v1/completions", none.get("message"));

        Map<String, Object> broken = openAiError(http.post("/v1/chat/completions", chat("badtemplate", "hi", ""), KEY),
                400, "invalid_request_error", "invalid_chat_template", "model");
        assertTrue(((String) broken.get("message")).startsWith("model 'badtemplate' cannot use its chat template "
                + "(the chat_template file of the models registry): line 1, column "), broken.toString());

        // the same model serves raw prompts
        Http.Response raw = http.post("/v1/completions", "{\"model\": \"plain\", \"prompt\": \"w\", \"temperature\": 0}",
                KEY);
        assertEquals("xyz", map(list(raw.json().get("choices")).getFirst()).get("text"));
    }

    // ------------------------------------------------------------------ completions

    @Test
    void completions_rawPrompt_parsesSpecialTokens_andHasOpenAisShape() {
        Http.Response r = http.post("/v1/completions", "{\"model\": \"chat\", \"prompt\": \"<|im_start|>\", "
                + "\"temperature\": 0}", KEY);

        assertEquals(200, r.status(), r.body());
        Map<String, Object> j = r.json();
        assertEquals("cmpl-" + r.header("X-Request-ID"), j.get("id"));
        assertEquals("text_completion", j.get("object"));
        Map<String, Object> choice = map(list(j.get("choices")).getFirst());
        // <|im_start|> as one token is followed by n; as text it would end with '>', followed by </s>
        assertEquals(SuccessorModel.AFTER_IM_START, choice.get("text"));
        assertEquals("stop", choice.get("finish_reason"));
        assertUsage(2, 13, j.get("usage"));
    }

    @Test
    void completionsStream_isExactlyOpenAisChunks_thenDone() {
        String id = "sse-cmpl-1";
        String text = streamText("/v1/completions", "{\"model\": \"chat\", \"prompt\": [\"abc\"], \"max_tokens\": 2, "
                + "\"temperature\": 0, \"stream\": true}", id);

        String head = "data: {\"id\": \"cmpl-" + id + "\", \"object\": \"text_completion\", \"created\": T, "
                + "\"model\": \"chat\", \"choices\": [{\"index\": 0, \"text\": ";
        assertEquals(head + "\"d\", \"logprobs\": null, \"finish_reason\": null}]}\n\n"
                + head + "\"e\", \"logprobs\": null, \"finish_reason\": null}]}\n\n"
                + head + "\"\", \"logprobs\": null, \"finish_reason\": \"length\"}]}\n\n"
                + "data: [DONE]\n\n", text);
    }

    @Test
    void streamCutByAForcedUnload_endsWithAnOpenAiErrorEvent() throws IOException {
        HttpResponse<InputStream> r = http.open(http.request("/v1/completions", KEY).POST(HttpRequest.BodyPublishers
                .ofString("{\"model\": \"longchat\", \"prompt\": \"ab\", \"max_tokens\": 60000, \"temperature\": 0, "
                        + "\"stream\": true, \"grammar\": \"root ::= \\\"ab\\\" root\"}")).build());
        assertEquals(200, r.statusCode());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertTrue(lines.readLine().startsWith("data: {\"id\": \"cmpl-"));

            assertEquals(200, http.post("/v1/unload/longchat?force=true", null, KEY).status());

            String last = Http.lastDataLine(lines);
            assertEquals("data: {\"error\": {\"message\": \"the generation was cancelled: the model was unloaded\", "
                    + "\"type\": \"unavailable_error\", \"code\": \"cancelled\", \"param\": null}}", last);
        }
    }

    // ------------------------------------------------------------------ errors

    @Test
    void errors_haveOpenAisBody_withTheNativeStatuses() {
        Http.Response unauthorized = http.post("/v1/chat/completions", chat("chat", "hi", ""));
        openAiError(unauthorized, 401, "authentication_error", "unauthorized", null);
        assertEquals("Bearer", unauthorized.header("WWW-Authenticate"));

        openAiError(http.post("/v1/chat/completions", chat("qwen_7b", "hi", ""), KEY), 404, "not_found_error",
                "model_not_found", null);
        openAiError(http.post("/v1/completions", "{\"model\": \"nope\", \"prompt\": \"a\"}", KEY), 404,
                "not_found_error", "model_not_found", null);
        openAiError(http.post("/v1/chat/completions", chat("chat", "hi", ", \"n\": 2"), KEY), 400,
                "invalid_request_error", "invalid_request", "n");
        openAiError(http.post("/v1/chat/completions", "{\"model\": \"chat\", \"messages\": [{\"role\": \"robot\", "
                + "\"content\": \"hi\"}]}", KEY), 400, "invalid_request_error", "invalid_request", "messages[0].role");
        openAiError(http.post("/v1/chat/completions", "{\"model\": \"chat\", \"messages\": [{\"role\": \"user\", "
                        + "\"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]}", KEY), 400,
                "invalid_request_error", "invalid_request", "messages[0].content[0].type");
        openAiError(http.post("/v1/chat/completions", "{\"model\": \"chat\"}", KEY), 400, "invalid_request_error",
                "invalid_request", "messages");
        openAiError(http.post("/v1/chat/completions", chat("chat", "hi", ", \"top_p\": 2"), KEY), 400,
                "invalid_request_error", "invalid_request", "top_p");
        openAiError(http.post("/v1/chat/completions", chat("chat", "hi", ", \"logprobs\": true"), KEY), 400,
                "invalid_request_error", "invalid_request", "logprobs");
        openAiError(http.post("/v1/chat/completions", chat("chat", "hi", ", \"response_format\": {\"type\": "
                        + "\"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\": {\"type\": \"string\", "
                        + "\"pattern\": \"a+\"}}}"), KEY), 400, "invalid_request_error", "invalid_request",
                "response_format");
        openAiError(http.post("/v1/chat/completions", "{not json", KEY), 400, "invalid_request_error",
                "invalid_request", "body");
        openAiError(http.post("/v1/chat/completions", chat("chat", "x".repeat(3000), ""), KEY), 413,
                "invalid_request_error", "payload_too_large", "messages");
        Http.Response tooLarge = http.post("/v1/completions", "{\"model\": \"chat\", \"prompt\": \""
                + "x".repeat(9000) + "\"}", KEY);
        openAiError(tooLarge, 413, "invalid_request_error", "payload_too_large", "body");
        openAiError(http.get("/v1/chat/completions", KEY), 405, "invalid_request_error", "method_not_allowed", null);
        // a prompt longer than the slot's context: the chat route names messages, the completion route prompt
        openAiError(http.post("/v1/completions", "{\"model\": \"chat\", \"prompt\": \"" + "ab".repeat(600) + "\"}", KEY),
                400, "invalid_request_error", "invalid_request", "prompt");
        openAiError(http.post("/v1/chat/completions", chat("chat", "ab".repeat(600), ""), KEY),
                400, "invalid_request_error", "invalid_request", "messages");
    }

    @Test
    void modelWhoseFileIsMissing_isA503WithRetryAfter_onBothRoutes() {
        for (Http.Response r : List.of(http.post("/v1/chat/completions", chat("gone", "hi", ""), KEY),
                http.post("/v1/completions", "{\"model\": \"gone\", \"prompt\": \"a\"}", KEY))) {
            Map<String, Object> error = openAiError(r, 503, "unavailable_error", "model_unavailable", null);
            assertTrue(((String) error.get("message")).contains("no-such-model.gguf"), error.toString());
            assertEquals("5", r.header("Retry-After"));
        }
    }

    // ------------------------------------------------------------------ models, metrics

    @Test
    void models_carriesTheOriginalsKeys_andOpenAisList_inOneBody() {
        Http.Response r = http.get("/v1/models", KEY);

        assertEquals(200, r.status());
        Map<String, Object> m = r.json();
        List<Object> available = list(m.get("available_models"));
        assertEquals(List.of("chat", "plain", "echo", "strict", "badtemplate", "longchat"), available);
        for (String key : List.of("cached_models", "inference_counts", "models")) {
            assertTrue(m.containsKey(key), key);
        }
        assertEquals("list", m.get("object"));
        List<Object> data = list(m.get("data"));
        assertEquals(available, data.stream().map(d -> map(d).get("id")).toList());
        for (Object d : data) {
            Map<String, Object> model = map(d);
            assertEquals(List.of("id", "object", "created", "owned_by"), List.copyOf(model.keySet()));
            assertEquals("model", model.get("object"));
            assertEquals("cerebrum", model.get("owned_by"));
            assertTrue(Math.abs(Instant.now().getEpochSecond() - ((Number) model.get("created")).longValue()) < 600);
        }
    }

    @Test
    void openAiRoutes_areCountedUnderTheirOwnEndpointLabel() {
        http.post("/v1/chat/completions", chat("chat", "hi", ", \"max_tokens\": 1"), KEY);
        http.post("/v1/completions", "{\"model\": \"chat\", \"prompt\": \"a\", \"max_tokens\": 1}", KEY);

        Workers.await("both routes are counted", 5_000, () -> {
            String metrics = http.get("/metrics", KEY).body();
            return metrics.contains("cerebrum_requests_total{endpoint=\"chat_completions\",outcome=\"ok\"}")
                    && metrics.contains("cerebrum_requests_total{endpoint=\"completions\",outcome=\"ok\"}");
        });
        assertFalse(http.get("/metrics", KEY).body().contains("endpoint=\"other\",outcome=\"ok\""));
    }
}
