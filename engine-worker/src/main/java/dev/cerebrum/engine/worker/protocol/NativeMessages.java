package dev.cerebrum.engine.worker.protocol;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns native error text into a short message safe for clients: no JSON wrapper, no file paths. */
public final class NativeMessages {
    private static final Pattern JSON_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w.])(?:[A-Za-z]:)?[/\\\\][^\\s'\",;:)]+");
    private static final int MAX_LENGTH = 300;

    private NativeMessages() {
    }

    /** The cleaned message, or "unknown error" when there is none. */
    public static String clean(String raw) {
        if (raw == null || raw.isBlank()) {
            return "unknown error";
        }
        String text = raw.strip();
        Matcher json = JSON_MESSAGE.matcher(text);
        if (json.find()) {
            text = json.group(1).replace("\\\"", "\"").replace("\\n", " ").replace("\\\\", "\\");
        }
        text = ABSOLUTE_PATH.matcher(text).replaceAll("<file>");
        text = text.replaceAll("\\s+", " ");
        return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH) + "…";
    }
}
