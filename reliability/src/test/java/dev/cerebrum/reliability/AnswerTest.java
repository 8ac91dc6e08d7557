package dev.cerebrum.reliability;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnswerTest {

    private static Answer of(Answer.Kind kind, int status, String body, String retryAfter) {
        return new Answer(kind, status, "", body, retryAfter, 10);
    }

    @Test
    void aResultAnErrorEventOrARefusalWithABody_isDefinite_aCloseOrAHangIsNot() {
        assertTrue(of(Answer.Kind.RESULT, 200, "{}", null).definite());
        assertTrue(of(Answer.Kind.ERROR_EVENT, 200, "{\"error\": \"x\", \"done\": true}", null).definite());
        assertTrue(of(Answer.Kind.REFUSED, 503, "{\"code\": \"model_unavailable\"}", "5").definite());
        assertFalse(of(Answer.Kind.CLOSED, 200, "", null).definite());
        assertFalse(of(Answer.Kind.NO_ANSWER, 0, "", null).definite());
    }

    @Test
    void refusedWithRetry_needsTheStatusAndTheHeader() {
        assertTrue(of(Answer.Kind.REFUSED, 503, "{}", "5").refusedWithRetry(503));
        assertFalse(of(Answer.Kind.REFUSED, 503, "{}", null).refusedWithRetry(503));
        assertFalse(of(Answer.Kind.REFUSED, 500, "{}", "5").refusedWithRetry(503));
    }

    @Test
    void fields_areReadFromTheJsonBody_andABodyThatIsNotJsonHasNone() {
        Answer refused = of(Answer.Kind.REFUSED, 400, "{\"code\": \"invalid_request\", \"field\": \"grammar\"}", null);
        assertEquals("grammar", refused.field("field"));
        assertEquals(null, of(Answer.Kind.REFUSED, 502, "<html>", null).field("code"));
    }
}
