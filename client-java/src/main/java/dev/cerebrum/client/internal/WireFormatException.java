package dev.cerebrum.client.internal;

/** A body or event this client cannot read; the client turns it into a ServerErrorException. */
public final class WireFormatException extends RuntimeException {

    /** An exception with a safe message. */
    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An exception with a safe message. */
    public WireFormatException(String message) {
        super(message);
    }
}
