package dev.cerebrum.reliability;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * What one inference request got back, as the suite judges it. A result, an error event that ends a stream, or
 * a 4xx/5xx with a JSON body is a definite answer: the client knows what happened. A connection closed without
 * any of these, or nothing within the wait, is not: that request was lost.
 *
 * @param kind       what came back
 * @param status     the HTTP status, or 0 when none arrived
 * @param text       the generated text: the result, or a stream's tokens so far
 * @param body       the JSON of the answer: the response body, or a stream's last event; empty when none
 * @param retryAfter the {@code Retry-After} header, or null
 * @param millis     from sending the request to the answer (or to the end of the wait)
 */
record Answer(Kind kind, int status, String text, String body, String retryAfter, long millis) {

    /** What came back. */
    enum Kind {
        /** 200 with its result, or a stream that ended with its done event. */
        RESULT,
        /** A stream that ended with an error event. */
        ERROR_EVENT,
        /** A 4xx or 5xx status with a JSON error body. */
        REFUSED,
        /** The connection closed (or was reset) without a final event, status or body. */
        CLOSED,
        /** Nothing definite within the wait: a hang. */
        NO_ANSWER
    }

    Answer {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(text);
        Objects.requireNonNull(body);
    }

    /** A result, an error event, or a 4xx/5xx with a body. */
    boolean definite() {
        return kind == Kind.RESULT || kind == Kind.ERROR_EVENT || kind == Kind.REFUSED;
    }

    /** The answer's JSON as a map; empty when there is none or it is not JSON. */
    Map<String, Object> json() {
        if (body.isEmpty()) {
            return Map.of();
        }
        try {
            return JSON.std.mapFrom(body);
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    /** A string field of the JSON, or null. */
    String field(String name) {
        return json().get(name) instanceof String s ? s : null;
    }

    /** A refusal with this status that says when to retry: what the orchestrator can fall back on. */
    boolean refusedWithRetry(int expectedStatus) {
        return kind == Kind.REFUSED && status == expectedStatus && retryAfter != null;
    }

    /** One line for a problem report. */
    String describe() {
        String what = switch (kind) {
            case RESULT -> "result '" + abbreviate(text) + "'";
            case ERROR_EVENT -> "error event '" + field("error") + "'";
            case REFUSED -> status + " " + field("code") + " (" + abbreviate(String.valueOf(field("message")))
                    + ")";
            case CLOSED -> "connection closed without an answer" + (status > 0 ? " after status " + status : "");
            case NO_ANSWER -> "no answer";
        };
        return what + " after " + millis + " ms";
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
