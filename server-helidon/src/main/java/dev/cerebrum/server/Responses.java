package dev.cerebrum.server;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Small helpers shared by the services. */
final class Responses {
    private static final double GIB = 1024.0 * 1024.0 * 1024.0;

    private Responses() {
    }

    /** Sends a JSON body with the status. */
    static void json(ServerResponse res, int status, Object body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, Errors.JSON_TYPE);
        res.send(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes as GiB with two decimals, as the original reported RAM. */
    static double gib(long bytes) {
        return Json.round(bytes / GIB, 2);
    }

    /** An ISO-8601 UTC time with millisecond precision, or null. */
    static String iso(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
