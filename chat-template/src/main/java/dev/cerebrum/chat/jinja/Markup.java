package dev.cerebrum.chat.jinja;

/**
 * markupsafe's {@code Markup}: a string marked safe by {@code |safe} or {@code |escape}. Plain strings
 * combined with it by {@code +}, {@code join}, {@code format} or its string methods are HTML-escaped, as in
 * Python (the Functionary templates depend on this).
 */
record Markup(String value) {

    /** markupsafe's {@code escape}: {@code & < > ' "} become entities; Markup stays as it is. */
    static Markup escape(Object value) {
        if (value instanceof Markup markup) {
            return markup;
        }
        String text = Py.str(value);
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String entity = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '\'' -> "&#39;";
                case '"' -> "&#34;";
                default -> null;
            };
            if (entity != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (entity != null) {
                    out.append(entity);
                } else {
                    out.append(c);
                }
            }
        }
        return new Markup(out == null ? text : out.toString());
    }

    /** The escaped text of a value, for combining it with Markup. */
    static String escaped(Object value) {
        return escape(value).value();
    }
}
