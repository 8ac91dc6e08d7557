package dev.cerebrum.server;

/** What can happen to a client connection outside a request, counted in metrics and in the summary log line. */
enum ConnectionEvent {
    /** Refused on arrival: too few file descriptors left. */
    REFUSED_DESCRIPTORS("refused", "descriptors", "refused (file descriptors low)"),
    /** Refused on arrival: the server holds its most connections. */
    REFUSED_TOTAL("refused", "total", "refused (connection limit)"),
    /** Refused on arrival: peers outside the allowlist hold their share. */
    REFUSED_OUTSIDERS("refused", "outsiders", "refused (share of peers outside the allowlist)"),
    /** Refused on arrival: the client address holds its most connections. */
    REFUSED_PEER("refused", "peer", "refused (per-address limit)"),
    /** Closed: the request headers did not arrive within the header timeout. */
    HEADER_TIMEOUT("closed", "header_timeout", "header timeouts"),
    /**
     * Closed: a request body stopped arriving for the header timeout (answered 408), or the rest of a refused body
     * was still arriving that long after the answer.
     */
    BODY_TIMEOUT("closed", "body_timeout", "stalled request bodies"),
    /** Closed: a kept-alive connection waited longer than the idle timeout for its next request. */
    IDLE_TIMEOUT("closed", "idle_timeout", null),
    /** Answered 400 or 505 and closed: the first bytes were not an HTTP/1.1 request line. */
    NOT_HTTP("closed", "not_http", "not HTTP/1.1"),
    /** The client closed or reset the connection in the middle of a request's headers. */
    ABORTED("closed", "aborted", "closed by the client mid-request"),
    /** Helidon reported a connection failure (its stack trace is not logged). */
    CONNECTION_ERROR("closed", "error", "connection errors");

    private final String metric;
    private final String reason;
    private final String summary;

    ConnectionEvent(String metric, String reason, String summary) {
        this.metric = metric;
        this.reason = reason;
        this.summary = summary;
    }

    /** The metric it is counted in: {@code cerebrum.connections.<metric>}. */
    String metric() {
        return "cerebrum.connections." + metric;
    }

    /** The metric's {@code reason} tag. */
    String reason() {
        return reason;
    }

    /** Its words in the summary log line, or null when it is normal and not worth a line. */
    String summary() {
        return summary;
    }

    /** True for refusals on arrival. */
    boolean refusal() {
        return metric.equals("refused");
    }
}
