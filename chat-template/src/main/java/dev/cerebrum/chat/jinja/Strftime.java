package dev.cerebrum.chat.jinja;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/** Python's {@code datetime.strftime} with the C locale, as glibc formats it. */
final class Strftime {

    private Strftime() {
    }

    static String format(String pattern, ZonedDateTime t) {
        StringBuilder out = new StringBuilder();
        int n = pattern.length();
        for (int i = 0; i < n; i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= n) {
                out.append(c);
                continue;
            }
            char flag = 0;
            char d = pattern.charAt(++i);
            if ((d == '-' || d == '_' || d == '0' || d == '^') && i + 1 < n) {
                flag = d;
                d = pattern.charAt(++i);
            }
            String text = directive(d, t);
            if (text == null) {
                out.append('%');
                if (flag != 0) {
                    out.append(flag);
                }
                out.append(d);
                continue;
            }
            if (flag == '-' && text.length() > 1 && isPadded(d)) {
                text = text.replaceFirst("^[0 ]+(?=.)", "");
            } else if (flag == '_' && isPadded(d)) {
                int zeros = 0;
                while (zeros < text.length() - 1 && text.charAt(zeros) == '0') {
                    zeros++;
                }
                text = " ".repeat(zeros) + text.substring(zeros);
            } else if (flag == '^') {
                text = text.toUpperCase(Locale.ROOT);
            }
            out.append(text);
        }
        return out.toString();
    }

    private static boolean isPadded(char d) {
        return "dHIjmMSyUWVCegGke".indexOf(d) >= 0;
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }

    private static String directive(char d, ZonedDateTime t) {
        return switch (d) {
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
            case 'd' -> two(t.getDayOfMonth());
            case 'e' -> (t.getDayOfMonth() < 10 ? " " : "") + t.getDayOfMonth();
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'm' -> two(t.getMonthValue());
            case 'y' -> two(t.getYear() % 100);
            case 'Y' -> Integer.toString(t.getYear());
            case 'C' -> two(t.getYear() / 100);
            case 'G' -> Integer.toString(t.get(IsoFields.WEEK_BASED_YEAR));
            case 'g' -> two(t.get(IsoFields.WEEK_BASED_YEAR) % 100);
            case 'V' -> two(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case 'H' -> two(t.getHour());
            case 'k' -> (t.getHour() < 10 ? " " : "") + t.getHour();
            case 'I' -> two(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
            case 'l' -> {
                int h = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
                yield (h < 10 ? " " : "") + h;
            }
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'P' -> t.getHour() < 12 ? "am" : "pm";
            case 'M' -> two(t.getMinute());
            case 'S' -> two(t.getSecond());
            case 'f' -> String.format("%06d", t.get(ChronoField.MICRO_OF_SECOND));
            case 'j' -> String.format("%03d", t.getDayOfYear());
            case 'U' -> two((t.getDayOfYear() + 6 - t.getDayOfWeek().getValue() % 7) / 7);
            case 'W' -> two((t.getDayOfYear() + 6 - (t.getDayOfWeek().getValue() + 6) % 7) / 7);
            case 'z' -> {
                int seconds = t.getOffset().getTotalSeconds();
                int abs = Math.abs(seconds);
                yield (seconds < 0 ? "-" : "+") + two(abs / 3600) + two(abs / 60 % 60);
            }
            case 'Z' -> t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 's' -> Long.toString(t.toEpochSecond());
            case 'D' -> format("%m/%d/%y", t);
            case 'F' -> format("%Y-%m-%d", t);
            case 'R' -> format("%H:%M", t);
            case 'T' -> format("%H:%M:%S", t);
            case 'r' -> format("%I:%M:%S %p", t);
            case 'c' -> format("%a %b %e %H:%M:%S %Y", t);
            case 'x' -> format("%m/%d/%y", t);
            case 'X' -> format("%H:%M:%S", t);
            case 'n' -> "\n";
            case 't' -> "\t";
            case '%' -> "%";
            default -> null;
        };
    }
}
