package dev.cerebrum.server;

import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.grammar.JsonSchemaGrammars;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenAiRequestTest {
    private static final InferenceBody.Limits LIMITS = new InferenceBody.Limits(1 << 16, 1000, 4096);
    private static final String HI = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";

    private static OpenAiRequest chat(String json) {
        return OpenAiRequest.chat(json.getBytes(StandardCharsets.UTF_8), LIMITS);
    }

    private static OpenAiRequest completion(String json) {
        return OpenAiRequest.completion(json.getBytes(StandardCharsets.UTF_8), LIMITS);
    }

    /** The refused field of a chat body with {@code more} added to a valid one. */
    private static String chatRefusal(String more) {
        return assertThrows(ApiException.class, () -> chat("{\"model\": \"m\", " + HI + more + "}"), more)
                .error().field();
    }

    @Test
    void chat_withoutOptions_getsLlamaServersDefaults_andTheTokenLimit() {
        OpenAiRequest r = chat("{\"model\": \"m\", " + HI + "}");

        assertEquals("m", r.model());
        assertEquals(List.of(Map.of("role", "user", "content", "hi")), r.messages());
        assertNull(r.tools());
        assertNull(r.prompt());
        assertFalse(r.stream());
        assertFalse(r.includeUsage());
        GenerationRequest g = r.generation("p");
        assertEquals(4096, g.maxTokens());
        assertEquals(0.8, g.temperature());
        assertEquals(0.95, g.topP());
        assertEquals(40, g.topK());
        assertEquals(0.05, g.minP());
        assertEquals(1.0, g.repeatPenalty());
        assertEquals(List.of(), g.stop());
        assertNull(g.seed());
        assertNull(g.grammar());
        assertFalse(g.ignoreEos());
    }

    @Test
    void chat_readsEveryField_andIgnoresUnknownOnes() {
        OpenAiRequest r = chat("""
                {"model": "m", "messages": [
                   {"role": "developer", "content": "be brief"},
                   {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
                   {"role": "assistant", "content": null, "tool_calls": [{"id": "1", "type": "function",
                    "function": {"name": "f", "arguments": "{}"}}]},
                   {"role": "tool", "tool_call_id": "1", "content": "42"}],
                 "tools": [{"type": "function", "function": {"name": "f"}}],
                 "chat_template_kwargs": {"enable_thinking": false},
                 "max_tokens": 9, "max_completion_tokens": 7, "temperature": 0, "top_p": 0.5, "top_k": 3,
                 "min_p": 0.1, "repeat_penalty": 1.2, "seed": 5, "stop": "x", "n": 1, "stream": true,
                 "stream_options": {"include_usage": true}, "user": "u", "presence_penalty": 0.5,
                 "metadata": {"a": "b"}, "logprobs": false, "logit_bias": {}}""");

        assertEquals("system", r.messages().get(0).get("role"));
        assertEquals("a\nb", r.messages().get(1).get("content"));
        assertNull(r.messages().get(2).get("content"));
        assertEquals("f", ((Map<?, ?>) ((Map<?, ?>) ((List<?>) r.messages().get(2).get("tool_calls")).getFirst())
                .get("function")).get("name"));
        assertEquals("1", r.messages().get(3).get("tool_call_id"));
        assertEquals(1, r.tools().size());
        assertEquals(Map.of("enable_thinking", false), r.templateVariables());
        assertTrue(r.stream());
        assertTrue(r.includeUsage());
        GenerationRequest g = r.generation("p");
        assertEquals(7, g.maxTokens());
        assertEquals(0.0, g.temperature());
        assertEquals(0.5, g.topP());
        assertEquals(3, g.topK());
        assertEquals(0.1, g.minP());
        assertEquals(1.2, g.repeatPenalty());
        assertEquals(5L, g.seed());
        assertEquals(List.of("x"), g.stop());
    }

    @Test
    void responseFormat_becomesTheGrammarOfAnyObject_orOfTheSchema() {
        assertNull(chat("{\"model\": \"m\", " + HI + ", \"response_format\": {\"type\": \"text\"}}").grammar());
        assertEquals(JsonSchemaGrammars.jsonObject().text(),
                chat("{\"model\": \"m\", " + HI + ", \"response_format\": {\"type\": \"json_object\"}}").grammar());
        Map<String, Object> schema = Map.of("type", "object", "properties", Map.of("n", Map.of("type", "integer")),
                "required", List.of("n"));
        assertEquals(JsonSchemaGrammars.fromSchema(schema).text(), chat("{\"model\": \"m\", " + HI
                + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"strict\": true,"
                + " \"schema\": {\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\"}},"
                + " \"required\": [\"n\"]}}}}").grammar());
    }

    @Test
    void unsupportedOrInvalidFields_areRefusedNamingTheParam() {
        assertEquals("n", chatRefusal(", \"n\": 2"));
        assertEquals("logprobs", chatRefusal(", \"logprobs\": true"));
        assertEquals("top_logprobs", chatRefusal(", \"top_logprobs\": 2"));
        assertEquals("logit_bias", chatRefusal(", \"logit_bias\": {\"1\": 5}"));
        assertEquals("max_tokens", chatRefusal(", \"max_tokens\": 0"));
        assertEquals("max_completion_tokens", chatRefusal(", \"max_completion_tokens\": 5000"));
        assertEquals("stream", chatRefusal(", \"stream\": \"yes\""));
        assertEquals("stream_options.include_usage", chatRefusal(", \"stream_options\": {\"include_usage\": 1}"));
        assertEquals("response_format.type", chatRefusal(", \"response_format\": {\"type\": \"xml\"}"));
        assertEquals("response_format.json_schema", chatRefusal(", \"response_format\": {\"type\": \"json_schema\"}"));
        assertEquals("response_format.json_schema.schema",
                chatRefusal(", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\"}}"));
        assertEquals("response_format", chatRefusal(", \"response_format\": {\"type\": \"json_schema\", "
                + "\"json_schema\": {\"schema\": {\"type\": \"string\", \"pattern\": \"a\"}}}"));
        assertEquals("grammar", chatRefusal(", \"grammar\": \"root ::= x\""));
        assertEquals("grammar", chatRefusal(", \"grammar\": \"root ::= \\\"a\\\"\", \"response_format\": "
                + "{\"type\": \"json_object\"}"));
        assertEquals("chat_template_kwargs", chatRefusal(", \"chat_template_kwargs\": {\"messages\": []}"));
        assertEquals("tools[0]", chatRefusal(", \"tools\": [1]"));
        assertEquals("top_p", assertThrows(InvalidRequestException.class,
                () -> chat("{\"model\": \"m\", " + HI + ", \"top_p\": 0}")).field());
    }

    @Test
    void badMessages_areRefusedNamingTheMessage() {
        for (String[] c : new String[][]{
                {"\"messages\": []", "messages"},
                {"\"messages\": {}", "messages"},
                {"\"messages\": [\"hi\"]", "messages[0]"},
                {"\"messages\": [{\"content\": \"hi\"}]", "messages[0].role"},
                {"\"messages\": [{\"role\": \"function\", \"content\": \"hi\"}]", "messages[0].role"},
                {"\"messages\": [{\"role\": \"user\"}]", "messages[0].content"},
                {"\"messages\": [{\"role\": \"user\", \"content\": 5}]", "messages[0].content"},
                {"\"messages\": [{\"role\": \"user\", \"content\": [\"hi\"]}]", "messages[0].content[0]"},
                {"\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]",
                        "messages[0].content[0].type"},
                {"\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\"}]}]",
                        "messages[0].content[0].text"}}) {
            ApiError e = assertThrows(ApiException.class, () -> chat("{\"model\": \"m\", " + c[0] + "}"), c[0]).error();
            assertEquals(c[1], e.field(), c[0]);
            assertEquals(400, e.status());
        }
    }

    @Test
    void completion_takesAStringOrAListOfOne_andRefusesWhatItCannotDo() {
        assertEquals("abc", completion("{\"model\": \"m\", \"prompt\": \"abc\"}").prompt());
        assertEquals("abc", completion("{\"model\": \"m\", \"prompt\": [\"abc\"], \"echo\": false, \"suffix\": null,"
                + " \"best_of\": 1, \"logprobs\": null}").prompt());
        for (String[] c : new String[][]{
                {"\"prompt\": [\"a\", \"b\"]", "prompt"},
                {"\"prompt\": [1, 2]", "prompt"},
                {"\"prompt\": \"a\", \"echo\": true", "echo"},
                {"\"prompt\": \"a\", \"suffix\": \"z\"", "suffix"},
                {"\"prompt\": \"a\", \"best_of\": 2", "best_of"},
                {"\"prompt\": \"a\", \"logprobs\": 1", "logprobs"}}) {
            ApiError e = assertThrows(ApiException.class, () -> completion("{\"model\": \"m\", " + c[0] + "}"), c[0])
                    .error();
            assertEquals(c[1], e.field(), c[0]);
        }
        ApiError tooLong = assertThrows(ApiException.class,
                () -> completion("{\"model\": \"m\", \"prompt\": \"" + "a".repeat(1001) + "\"}")).error();
        assertEquals(413, tooLong.status());
        assertEquals("prompt", tooLong.field());
    }
}
