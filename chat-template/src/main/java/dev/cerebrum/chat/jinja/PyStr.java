package dev.cerebrum.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python {@code str} semantics on Java strings. Python indexes strings by code point, so every index a
 * template sees is a code point index, even for text outside the Basic Multilingual Plane.
 */
final class PyStr {

    private PyStr() {
    }

    /** Python's {@code str.isspace()} for one code point. */
    static boolean isSpace(int c) {
        return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f
                || c == 0x205f || c == 0x3000;
    }

    static boolean isLineBreak(int c) {
        return c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
                || c == 0x85 || c == 0x2028 || c == 0x2029;
    }

    private static boolean hasSurrogates(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** The length in code points. */
    static int length(String s) {
        return hasSurrogates(s) ? s.codePointCount(0, s.length()) : s.length();
    }

    /** The char offset of a code point index (0..length). */
    static int offset(String s, int codePointIndex) {
        return hasSurrogates(s) ? s.offsetByCodePoints(0, codePointIndex) : codePointIndex;
    }

    /** The code point index of a char offset. */
    static int index(String s, int charOffset) {
        return hasSurrogates(s) ? s.codePointCount(0, charOffset) : charOffset;
    }

    static int[] codePoints(String s) {
        return s.codePoints().toArray();
    }

    // ---------------------------------------------------------------- strip, split

    private static boolean stripped(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0 && (c < Character.MIN_SUPPLEMENTARY_CODE_POINT
                || chars.contains(Character.toString(c)));
    }

    static String strip(String s, String chars) {
        return lstrip(rstrip(s, chars), chars);
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (!stripped(c, chars)) {
                break;
            }
            i += Character.charCount(c);
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0) {
            int c = s.codePointBefore(i);
            if (!stripped(c, chars)) {
                break;
            }
            i -= Character.charCount(c);
        }
        return s.substring(0, i);
    }

    static String rstripSpace(String s) {
        return rstrip(s, null);
    }

    static List<Object> split(String s, String sep, long maxsplit) {
        List<Object> out = new ArrayList<>();
        if (maxsplit < 0) {
            maxsplit = Long.MAX_VALUE;
        }
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    return out;
                }
                if (out.size() >= maxsplit) {
                    out.add(s.substring(i));
                    return out;
                }
                int start = i;
                while (i < n && !isSpace(s.charAt(i))) {
                    i++;
                }
                out.add(s.substring(start, i));
            }
        }
        if (sep.isEmpty()) {
            throw JinjaRuntimeError.type("empty separator");
        }
        int start = 0;
        while (out.size() < maxsplit) {
            int at = s.indexOf(sep, start);
            if (at < 0) {
                break;
            }
            out.add(s.substring(start, at));
            start = at + sep.length();
        }
        out.add(s.substring(start));
        return out;
    }

    static List<Object> rsplit(String s, String sep, long maxsplit) {
        if (maxsplit < 0) {
            return split(s, sep, -1);
        }
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = s.length();
            while (true) {
                while (i > 0 && isSpace(s.charAt(i - 1))) {
                    i--;
                }
                if (i <= 0) {
                    break;
                }
                if (out.size() >= maxsplit) {
                    out.add(s.substring(0, i));
                    break;
                }
                int end = i;
                while (i > 0 && !isSpace(s.charAt(i - 1))) {
                    i--;
                }
                out.add(s.substring(i, end));
            }
        } else {
            if (sep.isEmpty()) {
                throw JinjaRuntimeError.type("empty separator");
            }
            int end = s.length();
            while (out.size() < maxsplit) {
                int at = s.lastIndexOf(sep, end - sep.length());
                if (at < 0) {
                    break;
                }
                out.add(s.substring(at + sep.length(), end));
                end = at;
            }
            out.add(s.substring(0, end));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    static List<Object> splitlines(String s, boolean keepends) {
        List<Object> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            int start = i;
            while (i < n && !isLineBreak(s.charAt(i))) {
                i++;
            }
            int eol = i;
            if (i < n) {
                if (s.charAt(i) == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                    i += 2;
                } else {
                    i++;
                }
                if (keepends) {
                    eol = i;
                }
            }
            out.add(s.substring(start, eol));
        }
        return out;
    }

    static List<Object> partition(String s, String sep, boolean fromRight) {
        if (sep.isEmpty()) {
            throw JinjaRuntimeError.type("empty separator");
        }
        int at = fromRight ? s.lastIndexOf(sep) : s.indexOf(sep);
        if (at < 0) {
            return fromRight ? List.of("", "", s) : List.of(s, "", "");
        }
        return List.of(s.substring(0, at), sep, s.substring(at + sep.length()));
    }

    // ---------------------------------------------------------------- case

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean isCased(int c) {
        return Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
    }

    private static String titleOf(int c) {
        int title = Character.toTitleCase(c);
        if (title != c || !Character.isLowerCase(c)) {
            return Character.toString(title);
        }
        return Character.toString(c).toUpperCase(Locale.ROOT);
    }

    /** Python's {@code str.title()}: a letter after an uncased character starts a word. */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            out.append(previousCased ? Character.toString(c).toLowerCase(Locale.ROOT) : titleOf(c));
            previousCased = isCased(c);
            i += Character.charCount(c);
        }
        return out.toString();
    }

    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return titleOf(first) + s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT);
    }

    static String swapcase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.append(Character.isUpperCase(c) ? Character.toString(c).toLowerCase(Locale.ROOT)
                : Character.isLowerCase(c) ? Character.toString(c).toUpperCase(Locale.ROOT) : Character.toString(c)));
        return out.toString();
    }

    // ---------------------------------------------------------------- search

    /** CPython's ADJUST_INDICES: code point bounds {@code [start, end)}; start may exceed the length. */
    private static long[] adjust(String s, Object start, Object end) {
        long len = length(s);
        long a = start == null ? 0 : Py.index(start);
        long b = end == null ? len : Py.index(end);
        if (b > len) {
            b = len;
        } else if (b < 0) {
            b = Math.max(0, b + len);
        }
        if (a < 0) {
            a = Math.max(0, a + len);
        }
        return new long[] {a, b};
    }

    private static String region(String s, long[] r) {
        return s.substring(offset(s, (int) r[0]), offset(s, (int) r[1]));
    }

    static long find(String s, String sub, Object start, Object end, boolean fromRight) {
        long[] r = adjust(s, start, end);
        int subLength = length(sub);
        if (r[1] - r[0] < subLength) {
            return -1;
        }
        if (subLength == 0) {
            return fromRight ? r[1] : r[0];
        }
        String region = region(s, r);
        int at = fromRight ? region.lastIndexOf(sub) : region.indexOf(sub);
        return at < 0 ? -1 : r[0] + index(region, at);
    }

    static long count(String s, String sub, Object start, Object end) {
        long[] r = adjust(s, start, end);
        if (r[1] < r[0]) {
            return 0;
        }
        if (sub.isEmpty()) {
            return r[1] - r[0] + 1;
        }
        String region = region(s, r);
        long count = 0;
        for (int at = region.indexOf(sub); at >= 0; at = region.indexOf(sub, at + sub.length())) {
            count++;
        }
        return count;
    }

    static boolean startsOrEnds(String s, Object affix, Object start, Object end, boolean ends, String method) {
        List<Object> options = affix instanceof PyTuple tuple ? new ArrayList<>(tuple) : List.of(affix);
        for (Object option : options) {
            if (!Py.isStr(option)) {
                throw JinjaRuntimeError.type(affix instanceof PyTuple
                        ? "tuple for " + method + " must only contain str, not " + Py.typeName(option)
                        : method + " first arg must be str or a tuple of str, not " + Py.typeName(option));
            }
            String text = Py.text(option);
            long[] r = adjust(s, start, end);
            if (r[1] - length(text) < r[0]) {
                continue;
            }
            String region = region(s, r);
            if (ends ? region.endsWith(text) : region.startsWith(text)) {
                return true;
            }
        }
        return false;
    }

    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            count = Long.MAX_VALUE;
        }
        if (old.isEmpty()) {
            StringBuilder out = new StringBuilder();
            int[] cps = codePoints(s);
            long done = 0;
            for (int cp : cps) {
                if (done < count) {
                    out.append(replacement);
                    done++;
                }
                out.appendCodePoint(cp);
            }
            if (done < count) {
                out.append(replacement);
            }
            return out.toString();
        }
        StringBuilder out = new StringBuilder(s.length());
        int start = 0;
        long done = 0;
        for (int at = s.indexOf(old); at >= 0 && done < count; at = s.indexOf(old, start)) {
            out.append(s, start, at).append(replacement);
            start = at + old.length();
            done++;
        }
        return out.append(s, start, s.length()).toString();
    }

    // ---------------------------------------------------------------- padding

    static String pad(String s, long width, String fill, int align) {
        int len = length(s);
        if (width <= len) {
            return s;
        }
        int total = (int) (width - len);
        int left = switch (align) {
            case -1 -> 0;
            case 1 -> total;
            default -> total / 2 + (total & (int) width & 1);
        };
        return fill.repeat(left) + s + fill.repeat(total - left);
    }

    static String zfill(String s, long width) {
        int len = length(s);
        if (width <= len) {
            return s;
        }
        String zeros = "0".repeat((int) (width - len));
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            return s.charAt(0) + zeros + s.substring(1);
        }
        return zeros + s;
    }

    static String expandtabs(String s, long tabsize) {
        StringBuilder out = new StringBuilder();
        int column = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == '\t') {
                if (tabsize > 0) {
                    int spaces = (int) (tabsize - column % tabsize);
                    out.append(" ".repeat(spaces));
                    column += spaces;
                }
            } else {
                out.appendCodePoint(c);
                column = c == '\n' || c == '\r' ? 0 : column + 1;
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- predicates

    static boolean isPrintable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    static boolean all(String s, java.util.function.IntPredicate test) {
        return !s.isEmpty() && s.codePoints().allMatch(test);
    }

    /** Python's {@code islower()}: some cased character and no upper or title case one. */
    static boolean isLowerStr(String s) {
        return casedOnly(s, true);
    }

    /** Python's {@code isupper()}: some cased character and no lower or title case one. */
    static boolean isUpperStr(String s) {
        return casedOnly(s, false);
    }

    private static boolean casedOnly(String s, boolean lower) {
        boolean cased = false;
        for (int c : codePoints(s)) {
            if ((lower ? Character.isUpperCase(c) : Character.isLowerCase(c)) || Character.isTitleCase(c)) {
                return false;
            }
            cased |= lower ? Character.isLowerCase(c) : Character.isUpperCase(c);
        }
        return cased;
    }

    static boolean isTitleStr(String s) {
        boolean cased = false;
        boolean previousCased = false;
        for (int c : codePoints(s)) {
            if (Character.isUpperCase(c) || Character.isTitleCase(c)) {
                if (previousCased) {
                    return false;
                }
                previousCased = true;
                cased = true;
            } else if (Character.isLowerCase(c)) {
                if (!previousCased) {
                    return false;
                }
                previousCased = true;
                cased = true;
            } else {
                previousCased = false;
            }
        }
        return cased;
    }

    static boolean isIdentifier(String s) {
        if (s.isEmpty()) {
            return false;
        }
        int first = s.codePointAt(0);
        if (!(first == '_' || Character.isLetter(first) || Character.getType(first) == Character.LETTER_NUMBER)) {
            return false;
        }
        return s.codePoints().skip(1).allMatch(c -> c == '_' || Character.isLetterOrDigit(c)
                || Character.getType(c) == Character.NON_SPACING_MARK || Character.getType(c) == Character.COMBINING_SPACING_MARK
                || Character.getType(c) == Character.CONNECTOR_PUNCTUATION || Character.getType(c) == Character.LETTER_NUMBER);
    }

    static boolean isNumericChar(int c) {
        int type = Character.getType(c);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER
                || Character.getNumericValue(c) >= 0 && Character.isIdeographic(c);
    }

    // ---------------------------------------------------------------- repr

    /** Python's {@code repr(str)}. */
    static String repr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c < 0x20 || c == 0x7f) {
                out.append(backslashEscape(c));
            } else if (c < 0x7f || isPrintable(c)) {
                out.appendCodePoint(c);
            } else {
                out.append(backslashEscape(c));
            }
        }
        return out.append(quote).toString();
    }

    /** Python's backslashreplace form of a code point: backslash-x, -u or -U and hex digits. */
    static String backslashEscape(int c) {
        if (c <= 0xff) {
            return String.format("\\x%02x", c);
        }
        if (c <= 0xffff) {
            return String.format("\\u%04x", c);
        }
        return String.format("\\U%08x", c);
    }
}
