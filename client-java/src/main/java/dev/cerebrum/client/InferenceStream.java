package dev.cerebrum.client;

import java.net.URI;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * An open inference stream: an iterator of events and a handle to cancel it. One thread reads it;
 * {@link #close()} may be called from any thread.
 *
 * <p>The iterator ends after {@link StreamEvent.Done}. After {@link StreamEvent.Error} the next
 * {@code hasNext()} throws {@link StreamErrorException}. A stream silent (no event, no heartbeat)
 * for longer than the client's stream idle timeout throws {@link UnavailableException} of kind
 * {@link UnavailableException.Kind#STREAM_IDLE_TIMEOUT}. Closing early disconnects, which cancels the
 * generation on the server; after {@code close()} the iterator simply ends.
 */
public interface InferenceStream extends Iterator<StreamEvent>, AutoCloseable {

    /** The remaining events as a sequential {@link Stream}; closing it closes this stream. */
    Stream<StreamEvent> stream();

    /** Reads to the end and returns the text and the final event; throws on an error event. */
    StreamResult collect();

    /** Reads to the end and returns the generated text; throws on an error event. */
    default String text() {
        return collect().text();
    }

    /** The request id the server answered with, or null. */
    String requestId();

    /** The endpoint serving this stream. */
    URI endpoint();

    /** Disconnects (cancelling the generation) unless the stream already ended; idempotent. */
    @Override
    void close();
}
