package dev.cerebrum.client.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads Server-Sent Events: joins an event's {@code data:} lines, skips comments ({@code : keep-alive})
 * and other fields, and dispatches on the blank line. Every line read, comments included, counts
 * as activity for the idle timer.
 */
public final class SseReader {

    private final BufferedReader reader;
    private final Runnable onActivity;
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private boolean first = true;

    /** A reader over {@code in} (UTF-8) that calls {@code onActivity} for each line. */
    public SseReader(InputStream in, Runnable onActivity) {
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 8192);
        this.onActivity = onActivity;
    }

    /** The next event's data, or null at the end of the stream. */
    public String next() throws IOException {
        while (true) {
            String line = reader.readLine();
            if (line == null) {
                // A last event without its blank line still counts: the server may close right after it.
                return hasData ? flush() : null;
            }
            onActivity.run();
            if (first) {
                first = false;
                if (line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
            }
            if (line.isEmpty()) {
                if (hasData) {
                    return flush();
                }
                continue;
            }
            if (line.charAt(0) == ':') {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            if (!field.equals("data")) {
                continue;
            }
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (hasData) {
                data.append('\n');
            }
            data.append(value);
            hasData = true;
        }
    }

    private String flush() {
        String s = data.toString();
        data.setLength(0);
        hasData = false;
        return s;
    }
}
