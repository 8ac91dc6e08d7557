package dev.cerebrum.guard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Makes messages safe to show a client: absolute paths become file names. */
final class Safe {
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w.])(?:/[^/\\s'\"`:;,()\\[\\]{}]+){2,}/?");

    private Safe() {
    }

    /** The message with every absolute path reduced to its last name, and no line breaks. */
    static String message(String text) {
        if (text == null || text.isBlank()) {
            return "unknown error";
        }
        Matcher m = ABSOLUTE_PATH.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String path = m.group();
            String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            m.appendReplacement(out, Matcher.quoteReplacement(trimmed.substring(trimmed.lastIndexOf('/') + 1)));
        }
        m.appendTail(out);
        String flat = out.toString().replaceAll("\\s+", " ").trim();
        return flat.length() > 300 ? flat.substring(0, 300) + "..." : flat;
    }
}
