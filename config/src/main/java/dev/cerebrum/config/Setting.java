package dev.cerebrum.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One setting of {@link SettingsTable}: its name, who reads it and from where, its documentation, its default and
 * the values it accepts. A value that is absent or blank means the default. Reading a bad value throws an
 * {@link IllegalArgumentException} whose message names the setting and, unless it is a secret, quotes the value.
 */
public sealed interface Setting permits Setting.Int, Setting.Decimal, Setting.Seconds, Setting.Text {

    /** What every setting has besides its type. */
    About about();

    /** The variable's name, such as {@code CEREBRUM_VPS_PORT}. */
    default String name() {
        return about().name();
    }

    /** The default as the documentation shows it. */
    String defaultText();

    /** The accepted values as the documentation shows them; empty when any text is accepted. */
    String rangeText();

    /** The value as it would be written in {@code .env}: the default, or an example when there is none. */
    default String exampleText() {
        return about().example() != null ? about().example() : defaultText();
    }

    /** Who reads a setting. */
    enum Use {
        /** The server only. */
        SERVER,
        /** The server, and the launcher too (it asks the Java side for the resolved value). */
        SHARED,
        /** The launcher only. */
        LAUNCHER
    }

    /**
     * What every setting has besides its type.
     *
     * @param name            the variable's name
     * @param group           the section it is documented in
     * @param use             who reads it
     * @param environmentOnly true when it is read from the process environment only, never from {@code .env}
     * @param doc             one line of documentation
     * @param shownDefault    the default as documented when it is not a plain value, or null
     * @param example         a value to show in {@code .env.example} when there is no default, or null
     */
    record About(String name, Group group, Use use, boolean environmentOnly, String doc, String shownDefault,
                 String example) {
        private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

        public About {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(use, "use");
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a setting's name is an upper-case variable name: " + name);
            }
            if (doc == null || doc.isBlank() || doc.contains("\n")) {
                throw new IllegalArgumentException(name + ": the documentation is one line");
            }
        }
    }

    /**
     * An integer within {@code min..max}.
     *
     * @param defaultValue the default, or null when the default is derived ({@link About#shownDefault()} says how)
     */
    record Int(About about, Integer defaultValue, int min, int max) implements Setting {
        public Int {
            Objects.requireNonNull(about, "about");
            if (min > max || defaultValue != null && (defaultValue < min || defaultValue > max)) {
                throw new IllegalArgumentException(about.name() + ": the default must lie within " + min + ".." + max);
            }
        }

        /** The value in these variables, or the default. */
        public int read(Map<String, String> vars) {
            String v = raw(vars, name());
            if (v == null) {
                if (defaultValue == null) {
                    throw new IllegalStateException(name() + " has a derived default; read it with readIfSet");
                }
                return defaultValue;
            }
            return parse(name(), v);
        }

        /** The value in these variables, or null when it is not set. */
        public Integer readIfSet(Map<String, String> vars) {
            String v = raw(vars, name());
            return v == null ? null : parse(name(), v);
        }

        /** Parses a value given under another label (a command-line option), with this setting's bounds. */
        public int parse(String label, String text) {
            String v = text.strip();
            try {
                int i = Integer.parseInt(v);
                if (i >= min && i <= max) {
                    return i;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(label + " must be an integer from " + min + " to " + max
                    + " (was '" + v + "')");
        }

        @Override
        public String defaultText() {
            return about.shownDefault() != null ? about.shownDefault() : String.valueOf(defaultValue);
        }

        @Override
        public String rangeText() {
            return max == Integer.MAX_VALUE ? "≥ " + min : min + "–" + max;
        }
    }

    /** A decimal number within {@code min..max}. */
    record Decimal(About about, double defaultValue, double min, double max) implements Setting {
        public Decimal {
            Objects.requireNonNull(about, "about");
            if (!(min <= defaultValue && defaultValue <= max)) {
                throw new IllegalArgumentException(about.name() + ": the default must lie within " + min + ".." + max);
            }
        }

        /** The value in these variables, or the default. */
        public double read(Map<String, String> vars) {
            String v = raw(vars, name());
            if (v == null) {
                return defaultValue;
            }
            try {
                double d = Double.parseDouble(v);
                if (d >= min && d <= max) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(name() + " must be a number from " + plain(min) + " to " + plain(max)
                    + " (was '" + v + "')");
        }

        @Override
        public String defaultText() {
            return about.shownDefault() != null ? about.shownDefault() : plain(defaultValue);
        }

        @Override
        public String rangeText() {
            return plain(min) + "–" + plain(max);
        }
    }

    /**
     * A duration given as a decimal number of seconds (millisecond precision), within {@code min..max}; with
     * {@code minExclusive} the value must be more than {@code min}.
     */
    record Seconds(About about, Duration defaultValue, Duration min, boolean minExclusive, Duration max)
            implements Setting {
        public Seconds {
            Objects.requireNonNull(about, "about");
            Objects.requireNonNull(defaultValue, "defaultValue");
            if (!accepts(defaultValue, min, minExclusive, max)) {
                throw new IllegalArgumentException(about.name() + ": the default must lie within its bounds");
            }
        }

        /** The value in these variables, or the default. */
        public Duration read(Map<String, String> vars) {
            String v = raw(vars, name());
            if (v == null) {
                return defaultValue;
            }
            try {
                double seconds = Double.parseDouble(v);
                if (Double.isFinite(seconds) && Math.abs(seconds) < 1e12) {
                    Duration d = Duration.ofMillis(Math.round(seconds * 1000));
                    if (accepts(d, min, minExclusive, max)) {
                        return d;
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(name() + " must be a number of seconds "
                    + (minExclusive ? "greater than " + seconds(min) + " and at most " + seconds(max)
                    : "from " + seconds(min) + " to " + seconds(max)) + " (was '" + v + "')");
        }

        private static boolean accepts(Duration d, Duration min, boolean minExclusive, Duration max) {
            int low = d.compareTo(min);
            return (minExclusive ? low > 0 : low >= 0) && d.compareTo(max) <= 0;
        }

        @Override
        public String defaultText() {
            return about.shownDefault() != null ? about.shownDefault() : seconds(defaultValue);
        }

        @Override
        public String rangeText() {
            return minExclusive ? "> " + seconds(min) + ", ≤ " + seconds(max) : seconds(min) + "–" + seconds(max);
        }
    }

    /**
     * Text, such as an address, a path or a list.
     *
     * @param defaultValue the default, or null for none
     * @param secret       true when the value must never be shown (a key or a token)
     */
    record Text(About about, String defaultValue, boolean secret) implements Setting {
        public Text {
            Objects.requireNonNull(about, "about");
        }

        /** The value in these variables (stripped), the default, or null when neither exists. */
        public String read(Map<String, String> vars) {
            String v = raw(vars, name());
            return v != null ? v : defaultValue;
        }

        @Override
        public String defaultText() {
            return about.shownDefault() != null ? about.shownDefault() : defaultValue == null ? "unset" : defaultValue;
        }

        @Override
        public String rangeText() {
            return "";
        }

        @Override
        public String exampleText() {
            return about.example() != null ? about.example() : defaultValue == null ? "" : defaultValue;
        }
    }

    /** The stripped value, or null when it is absent or blank. */
    private static String raw(Map<String, String> vars, String name) {
        String v = vars.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** Seconds as plain text: {@code 300}, {@code 0.25}. */
    static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    private static String plain(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
