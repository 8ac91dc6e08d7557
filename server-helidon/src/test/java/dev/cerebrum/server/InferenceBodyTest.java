package dev.cerebrum.server;

import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidRequestException;
import io.helidon.http.DirectHandler;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InferenceBodyTest {
    private static final InferenceBody.Limits LIMITS = new InferenceBody.Limits(2048, 100, 4096);

    private static InferenceBody parse(String json) {
        return InferenceBody.parse(json.getBytes(StandardCharsets.UTF_8), LIMITS);
    }

    private static ApiError refusal(String json) {
        return assertThrows(ApiException.class, () -> parse(json), json).error();
    }

    @Test
    void theOriginalsBody_getsTheOriginalsDefaults() {
        InferenceBody b = parse("{\"prompt\": \"abc\", \"model\": \"qwen_7b\"}");
        assertEquals("qwen_7b", b.model());
        GenerationRequest r = b.request();
        assertEquals("abc", r.prompt());
        assertEquals(512, r.maxTokens());
        assertEquals(0.2, r.temperature());
        assertEquals(List.of(), r.stop());
        assertNull(r.seed());
        assertNull(r.grammar());
    }

    @Test
    void everyOptionalField_isRead() {
        GenerationRequest r = parse("""
                {"prompt": "abc", "model": "demo", "max_tokens": 7, "temperature": 0, "stop": ["\\n", "x"],
                 "top_p": 0.5, "top_k": 3, "min_p": 0.1, "repeat_penalty": 1.0, "seed": 42, "grammar": "root ::= \\"a\\"",
                 "unknown": {"ignored": true}}""").request();
        assertEquals(7, r.maxTokens());
        assertEquals(0.0, r.temperature());
        assertEquals(List.of("\n", "x"), r.stop());
        assertEquals(0.5, r.topP());
        assertEquals(3, r.topK());
        assertEquals(0.1, r.minP());
        assertEquals(1.0, r.repeatPenalty());
        assertEquals(42L, r.seed());
        assertEquals("root ::= \"a\"", r.grammar());
    }

    @Test
    void nullsMeanDefaults_aStringStopIsOneStop_andANegativeSeedIsRandom() {
        GenerationRequest r = parse("{\"prompt\": \"abc\", \"model\": \"m\", \"stop\": null, \"max_tokens\": null,"
                + " \"seed\": -1}").request();
        assertEquals(512, r.maxTokens());
        assertNull(r.seed());
        assertEquals(List.of("\n"), parse("{\"prompt\": \"a\", \"model\": \"m\", \"stop\": \"\\n\"}").request().stop());
        assertEquals(16, parse("{\"prompt\": \"a\", \"model\": \"m\", \"max_tokens\": 16.0}").request().maxTokens());
    }

    @Test
    void badJson_isA400OnTheBody() {
        for (String bad : new String[]{"", "{", "not json", "[1, 2]", "\"text\"", "{\"prompt\": \"a\"} trailing"}) {
            ApiError e = refusal(bad);
            assertEquals(400, e.status(), bad);
            assertEquals("invalid_request", e.code());
            assertEquals("body", e.field());
        }
    }

    @Test
    void missingOrMistypedFields_areA400NamingTheField() {
        String[][] cases = {
                {"{\"model\": \"m\"}", "prompt"},
                {"{\"prompt\": \"a\"}", "model"},
                {"{\"prompt\": 5, \"model\": \"m\"}", "prompt"},
                {"{\"prompt\": \"a\", \"model\": [\"m\"]}", "model"},
                {"{\"prompt\": \"a\", \"model\": \"\"}", "model"},
                {"{\"prompt\": \"a\", \"model\": \"m\", \"max_tokens\": \"5\"}", "max_tokens"},
                {"{\"prompt\": \"a\", \"model\": \"m\", \"max_tokens\": 1.5}", "max_tokens"},
                {"{\"prompt\": \"a\", \"model\": \"m\", \"max_tokens\": true}", "max_tokens"},
                {"{\"prompt\": \"a\", \"model\": \"m\", \"temperature\": \"hot\"}", "temperature"},
                {"{\"prompt\": \"a\", \"model\": \"m\", \"stop\": [1]}", "stop"},
                {"{\"prompt\": \"a\", \"model\": \"m\", \"stop\": {\"a\": 1}}", "stop"},
                {"{\"prompt\": \"a\", \"model\": \"m\", \"top_k\": -1}", "top_k"},
                {"{\"prompt\": \"a\", \"model\": \"m\", \"grammar\": 3}", "grammar"},
        };
        for (String[] c : cases) {
            ApiError e = refusal(c[0]);
            assertEquals(400, e.status(), c[0]);
            assertEquals(c[1], e.field(), c[0]);
        }
    }

    @Test
    void maxTokensOutOfRange_isA400NamingTheFieldAndTheLimit() {
        for (String v : new String[]{"0", "-3", "4097", "99999999999999999999"}) {
            ApiError e = refusal("{\"prompt\": \"a\", \"model\": \"m\", \"max_tokens\": " + v + "}");
            assertEquals(400, e.status(), v);
            assertEquals("max_tokens", e.field());
            assertEquals(4096L, e.limit());
        }
        assertEquals(4096, parse("{\"prompt\": \"a\", \"model\": \"m\", \"max_tokens\": 4096}").request().maxTokens());
    }

    @Test
    void parametersTheEngineRefuses_areInvalidRequestsNamingTheField() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> parse("{\"prompt\": \"a\", \"model\": \"m\", \"temperature\": 2.5}"));
        assertEquals("temperature", e.field());
        assertEquals("prompt", assertThrows(InvalidRequestException.class,
                () -> parse("{\"prompt\": \"\", \"model\": \"m\"}")).field());
    }

    @Test
    void aPromptOverTheLimit_isA413NamingTheLimit() {
        ApiError e = refusal("{\"prompt\": \"" + "a".repeat(101) + "\", \"model\": \"m\"}");
        assertEquals(413, e.status());
        assertEquals("payload_too_large", e.code());
        assertEquals("prompt", e.field());
        assertEquals(100L, e.limit());
    }

    @Test
    void aBodyThatCannotBeRead_isA400OnTheBody_thatEndsTheConnection() {
        InputStream broken = new InputStream() {
            @Override
            public int read() {
                throw new NumberFormatException("For input string: \"ZZ\" under radix 16");
            }
        };
        ApiException e = assertThrows(ApiException.class, () -> InferenceBody.readBody(() -> broken, -1, LIMITS));
        assertEquals(400, e.error().status());
        assertEquals("body", e.error().field());
        assertEquals("the request body could not be read", e.error().message());
        assertTrue(e.endsConnection());
    }

    @Test
    void aChunkThatTakesTheBodyPastTheMaxPayload_isA413_thatEndsTheConnection() {
        InputStream refused = new InputStream() {
            @Override
            public int read() {
                throw RequestException.builder().type(DirectHandler.EventType.BAD_REQUEST)
                        .status(Status.REQUEST_ENTITY_TOO_LARGE_413).build();
            }
        };
        ApiException e = assertThrows(ApiException.class, () -> InferenceBody.readBody(() -> refused, -1, LIMITS));
        assertEquals(413, e.error().status());
        assertEquals(2048L, e.error().limit());
        assertTrue(e.endsConnection());
    }

    @Test
    void aBodyOverTheLimit_isA413_whetherItsLengthIsDeclaredOrNot_andTheConnectionCanCarryOn() {
        byte[] big = new byte[2049];
        ApiException declared = assertThrows(ApiException.class, () -> InferenceBody.readBody(() -> {
            throw new AssertionError("a body declared too large is never opened");
        }, 2049, LIMITS));
        assertEquals(413, declared.error().status());
        assertEquals(2048L, declared.error().limit());
        assertEquals("body", declared.error().field());
        assertFalse(declared.endsConnection());
        ApiException chunked = assertThrows(ApiException.class,
                () -> InferenceBody.readBody(() -> new ByteArrayInputStream(big), -1, LIMITS));
        assertEquals(413, chunked.error().status());
        assertFalse(chunked.endsConnection());
        byte[] fits = new byte[2048];
        assertArrayEquals(fits, InferenceBody.readBody(() -> new ByteArrayInputStream(fits), -1, LIMITS));
    }

    @Test
    void theMaxPayload_isFourTimesTheBodyLimit() {
        assertEquals(4 * 2048L, LIMITS.maxPayloadBytes());
    }

    @Test
    void malformedGrammar_isA400NamingTheFieldAndTheProblem() {
        String[][] cases = {
                {"root ::= (", "invalid grammar: line 1, column 11: expecting ')'"},
                {"root ::= foo", "invalid grammar: line 1, column 10: rule 'foo' is used but never defined"},
                {"root ::= [z-a]", "invalid grammar: line 1, column 11: the range z-a is reversed"},
                {"root ::= root", "invalid grammar: line 1, column 1: rule 'root' is left-recursive"},
                {"root ::= \\\"a\\\"{0,1000}{0,1000}", "invalid grammar: line 1, column 21: nested repetitions multiply"},
        };
        for (String[] c : cases) {
            ApiError e = refusal("{\"prompt\": \"a\", \"model\": \"m\", \"grammar\": \"" + c[0] + "\"}");
            assertEquals(400, e.status(), c[0]);
            assertEquals("grammar", e.field(), c[0]);
            assertTrue(e.message().startsWith(c[1]), e.message());
        }
    }

    @Test
    void blankGrammar_meansNoGrammar() {
        assertNull(parse("{\"prompt\": \"a\", \"model\": \"m\", \"grammar\": \"  \"}").request().grammar());
    }
}
