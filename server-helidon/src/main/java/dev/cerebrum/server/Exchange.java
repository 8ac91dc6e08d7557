package dev.cerebrum.server;

import io.helidon.webserver.http.ServerRequest;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * What the access log and the request metrics need to know about one request. Created by the request
 * filter, filled in by handlers.
 */
final class Exchange {
    static final String REQUEST_ID_HEADER = "X-Request-ID";
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    final String requestId;
    final String peer;
    final String method;
    final String path;
    final String logPath;
    final String endpoint;
    final Wire wire;
    final long startNanos;
    private volatile String model;
    private volatile int tokens = -1;
    private volatile String outcome;

    Exchange(String requestId, String peer, String method, String path, String logPath, long startNanos) {
        this.requestId = requestId;
        this.peer = peer;
        this.method = method;
        this.path = path;
        this.logPath = logPath;
        this.endpoint = endpointOf(path);
        this.wire = Wire.of(path);
        this.startNanos = startNanos;
    }

    /** The wire format of a route, which decides the shape of its error bodies. */
    enum Wire {
        /** The original backend's format, every route but the OpenAI-compatible ones. */
        NATIVE,
        /** {@code /v1/chat/completions}. */
        OPENAI_CHAT,
        /** {@code /v1/completions}. */
        OPENAI_COMPLETIONS;

        static Wire of(String path) {
            return switch (path) {
                case "/v1/chat/completions" -> OPENAI_CHAT;
                case "/v1/completions" -> OPENAI_COMPLETIONS;
                default -> NATIVE;
            };
        }
    }

    /** The exchange of a request that went through the filter. */
    static Exchange of(ServerRequest req) {
        return req.context().get(Exchange.class).orElseThrow(() -> new IllegalStateException("no exchange"));
    }

    /** The client's own id when it is well-formed, otherwise a new random one. */
    static String requestId(String fromClient) {
        if (fromClient != null && CLIENT_ID.matcher(fromClient).matches()) {
            return fromClient;
        }
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A bounded label for metrics: the route, never the raw path. */
    static String endpointOf(String path) {
        return switch (path) {
            case "/health" -> "health";
            case "/health/live" -> "health_live";
            case "/health/ready" -> "health_ready";
            case "/v1/inference" -> "inference";
            case "/v1/inference/stream" -> "inference_stream";
            case "/v1/chat/completions" -> "chat_completions";
            case "/v1/completions" -> "completions";
            case "/v1/models" -> "models";
            case "/v1/stats" -> "stats";
            case "/v1/cleanup" -> "cleanup";
            case "/metrics" -> "metrics";
            default -> path.startsWith("/v1/load/") ? "load" : path.startsWith("/v1/unload/") ? "unload" : "other";
        };
    }

    /** The text with control characters replaced and bounded in length, so a log line stays one line. */
    static String printable(String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || Character.isWhitespace(c) ? '?' : c);
        }
        return s.length() > 200 ? b + "…" : b.toString();
    }

    void model(String m) {
        this.model = printable(m);
    }

    String model() {
        return model;
    }

    void tokens(int t) {
        this.tokens = t;
    }

    int tokens() {
        return tokens;
    }

    /** Overrides the outcome label, for example {@code client_closed}. */
    void outcome(String o) {
        this.outcome = o;
    }

    String outcome() {
        return outcome;
    }
}
