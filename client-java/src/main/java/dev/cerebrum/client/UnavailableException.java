package dev.cerebrum.client;

import java.net.URI;
import java.util.Locale;

/**
 * No usable answer came: the connection failed, timed out or broke, the stream went silent, every
 * endpoint's breaker is open, or the calling thread was interrupted (its flag is restored).
 */
public final class UnavailableException extends CerebrumException {

    /** What went wrong. */
    public enum Kind {
        /** The connection was refused or could not be made; nothing was sent. */
        CONNECT_FAILED,
        /** The connection was not established within the connect timeout; nothing was sent. */
        CONNECT_TIMEOUT,
        /** The request was sent and no answer came within the read timeout. */
        RESPONSE_TIMEOUT,
        /** The connection broke after the request was sent. */
        CONNECTION_LOST,
        /** An open stream sent no event and no heartbeat within the stream idle timeout. */
        STREAM_IDLE_TIMEOUT,
        /** Every endpoint's circuit breaker is open; nothing was sent. */
        CIRCUIT_OPEN,
        /** The calling thread was interrupted; the interrupt flag is set again. */
        INTERRUPTED,
        /** The client was closed. */
        CLIENT_CLOSED
    }

    private final Kind kind;
    private final boolean requestSent;

    /** An exception for a failed exchange. */
    public UnavailableException(String message, Kind kind, boolean requestSent, String requestId, URI endpoint,
                                Throwable cause) {
        super(message, 0, kind.name().toLowerCase(Locale.ROOT), requestId, endpoint, cause);
        this.kind = kind;
        this.requestSent = requestSent;
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** True when the request may have reached a server (so it may have run there). */
    public boolean requestSent() {
        return requestSent;
    }

    /** True when nothing was sent, so repeating the call cannot run the work twice. */
    @Override
    public boolean isRetriable() {
        return !requestSent && kind != Kind.INTERRUPTED && kind != Kind.CLIENT_CLOSED;
    }
}
