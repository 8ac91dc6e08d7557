package dev.cerebrum.chat.jinja;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python's {@code str.format} (as jinja2's sandboxed formatter runs it), format specs, and {@code %} formatting. */
final class PyFormat {

    private PyFormat() {
    }

    // ---------------------------------------------------------------- str.format

    static String format(Interpreter in, String fmt, List<Object> args, Map<String, Object> kwargs, boolean escape) {
        int[] auto = {0, 0};
        return format(in, fmt, args, kwargs, escape, auto, 2);
    }

    private static String format(Interpreter in, String fmt, List<Object> args, Map<String, Object> kwargs,
                                 boolean escape, int[] auto, int recursion) {
        if (recursion < 0) {
            throw JinjaRuntimeError.type("Max string recursion exceeded");
        }
        StringBuilder out = new StringBuilder();
        int n = fmt.length();
        int i = 0;
        while (i < n) {
            char c = fmt.charAt(i);
            if (c == '{') {
                if (i + 1 < n && fmt.charAt(i + 1) == '{') {
                    out.append('{');
                    i += 2;
                    continue;
                }
                int depth = 1;
                int j = i + 1;
                while (j < n && depth > 0) {
                    char d = fmt.charAt(j);
                    if (d == '{') {
                        depth++;
                    } else if (d == '}') {
                        depth--;
                    } else if (d == '[') {
                        int close = fmt.indexOf(']', j);
                        j = close < 0 ? j : close;
                    }
                    j++;
                }
                if (depth > 0) {
                    throw JinjaRuntimeError.type("expected '}' before end of string");
                }
                out.append(field(in, fmt.substring(i + 1, j - 1), args, kwargs, escape, auto, recursion));
                in.budget().checkSize(out.length());
                i = j;
            } else if (c == '}') {
                if (i + 1 < n && fmt.charAt(i + 1) == '}') {
                    out.append('}');
                    i += 2;
                    continue;
                }
                throw JinjaRuntimeError.type("Single '}' encountered in format string");
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String field(Interpreter in, String field, List<Object> args, Map<String, Object> kwargs,
                                boolean escape, int[] auto, int recursion) {
        int end = 0;
        while (end < field.length() && field.charAt(end) != '!' && field.charAt(end) != ':') {
            if (field.charAt(end) == '[') {
                int close = field.indexOf(']', end);
                end = close < 0 ? field.length() : close;
            }
            end++;
        }
        end = Math.min(end, field.length());
        String name = field.substring(0, end);
        String conversion = null;
        String spec = "";
        if (end < field.length() && field.charAt(end) == '!') {
            if (end + 1 >= field.length()) {
                throw JinjaRuntimeError.type("end of string while looking for conversion specifier");
            }
            conversion = field.substring(end + 1, end + 2);
            end += 2;
            if (end < field.length() && field.charAt(end) != ':') {
                throw JinjaRuntimeError.type("expected ':' after conversion specifier");
            }
        }
        if (end < field.length() && field.charAt(end) == ':') {
            spec = format(in, field.substring(end + 1), args, kwargs, false, auto, recursion - 1);
        }
        Object value = lookup(name, args, kwargs, auto);
        if (conversion != null) {
            value = switch (conversion) {
                case "s" -> Py.str(value);
                case "r" -> Py.repr(value);
                case "a" -> ascii(Py.repr(value));
                default -> throw JinjaRuntimeError.type("Unknown conversion specifier " + conversion);
            };
        }
        if (escape && value instanceof Markup markup) {
            if (!spec.isEmpty()) {
                throw JinjaRuntimeError.type("Unsupported format specification for Markup.");
            }
            return markup.value();
        }
        String formatted = formatValue(value, spec);
        return escape ? Markup.escaped(formatted) : formatted;
    }

    private static Object lookup(String name, List<Object> args, Map<String, Object> kwargs, int[] auto) {
        int end = 0;
        while (end < name.length() && name.charAt(end) != '.' && name.charAt(end) != '[') {
            end++;
        }
        String first = name.substring(0, end);
        Object value;
        if (first.isEmpty()) {
            if (auto[1] == 1) {
                throw JinjaRuntimeError.type("cannot switch from manual field specification to automatic field numbering");
            }
            auto[1] = 2;
            value = positional(args, auto[0]++);
        } else if (first.chars().allMatch(Character::isDigit)) {
            if (auto[1] == 2) {
                throw JinjaRuntimeError.type("cannot switch from automatic field numbering to manual field specification");
            }
            auto[1] = 1;
            value = positional(args, Integer.parseInt(first));
        } else {
            if (!kwargs.containsKey(first)) {
                throw JinjaRuntimeError.type("KeyError: '" + first + "'");
            }
            value = kwargs.get(first);
        }
        int i = end;
        while (i < name.length()) {
            if (name.charAt(i) == '.') {
                int j = i + 1;
                while (j < name.length() && name.charAt(j) != '.' && name.charAt(j) != '[') {
                    j++;
                }
                value = Py.getattr(value, name.substring(i + 1, j));
                i = j;
            } else {
                int close = name.indexOf(']', i);
                if (close < 0) {
                    throw JinjaRuntimeError.type("Missing ']' in format string");
                }
                String key = name.substring(i + 1, close);
                value = Py.getitem(value, !key.isEmpty() && key.chars().allMatch(Character::isDigit)
                        ? (Object) Long.parseLong(key) : key);
                i = close + 1;
            }
        }
        return value;
    }

    private static Object positional(List<Object> args, int index) {
        if (index >= args.size()) {
            throw JinjaRuntimeError.type("Replacement index " + index + " out of range for positional args tuple");
        }
        return args.get(index);
    }

    private static String ascii(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(c -> out.append(c < 128 ? Character.toString(c) : PyStr.backslashEscape(c)));
        return out.toString();
    }

    // ---------------------------------------------------------------- format(value, spec)

    /** Python's {@code format(value, spec)}. */
    static String formatValue(Object value, String spec) {
        if (spec.isEmpty()) {
            return Py.str(value);
        }
        Spec s = Spec.parse(spec);
        if (Py.isStr(value)) {
            if (s.sign != 0) {
                throw JinjaRuntimeError.type("Sign not allowed in string format specifier");
            }
            if (s.align == '=') {
                throw JinjaRuntimeError.type("'=' alignment not allowed in string format specifier");
            }
            if (s.type != 0 && s.type != 's') {
                throw JinjaRuntimeError.type("Unknown format code '" + s.type + "' for object of type 'str'");
            }
            String text = Py.text(value);
            if (s.precision >= 0 && PyStr.length(text) > s.precision) {
                text = text.substring(0, PyStr.offset(text, s.precision));
            }
            return s.pad(text, '<', "");
        }
        if (PyNum.isInt(value) && (s.type == 0 || "bcdoxXn".indexOf(s.type) >= 0)) {
            return formatInt(PyNum.big(value), s);
        }
        if (PyNum.isNumber(value)) {
            return formatFloat(PyNum.toDouble(value), s);
        }
        throw JinjaRuntimeError.type("unsupported format string passed to " + Py.typeName(value) + ".__format__");
    }

    private static String formatInt(BigInteger v, Spec s) {
        if (s.precision >= 0) {
            throw JinjaRuntimeError.type("Precision not allowed in integer format specifier");
        }
        String digits;
        String prefix = "";
        switch (s.type) {
            case 'b' -> {
                digits = v.abs().toString(2);
                prefix = s.alternate ? "0b" : "";
            }
            case 'o' -> {
                digits = v.abs().toString(8);
                prefix = s.alternate ? "0o" : "";
            }
            case 'x' -> {
                digits = v.abs().toString(16);
                prefix = s.alternate ? "0x" : "";
            }
            case 'X' -> {
                digits = v.abs().toString(16).toUpperCase();
                prefix = s.alternate ? "0X" : "";
            }
            case 'c' -> {
                return s.pad(Character.toString(v.intValueExact()), '<', "");
            }
            default -> digits = group(v.abs().toString(), s.grouping);
        }
        return s.pad(prefix + digits, '>', sign(v.signum() < 0, s));
    }

    private static String formatFloat(double d, Spec s) {
        boolean negative = d < 0 || (d == 0 && 1 / d < 0);
        double a = Math.abs(d);
        String body;
        char type = s.type;
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            body = Double.isNaN(d) ? "nan" : "inf";
            if (Character.isUpperCase(type)) {
                body = body.toUpperCase();
            }
            negative = !Double.isNaN(d) && d < 0;
            return s.pad(body, '>', sign(negative, s));
        }
        switch (type) {
            case 'f', 'F' -> body = fixed(a, s.precision < 0 ? 6 : s.precision);
            case 'e', 'E' -> body = scientific(a, s.precision < 0 ? 6 : s.precision, type == 'E');
            case 'g', 'G' -> body = general(a, s.precision < 0 ? 6 : s.precision, s.alternate, type == 'G');
            case '%' -> body = fixed(a * 100, s.precision < 0 ? 6 : s.precision) + "%";
            case 'n' -> body = general(a, s.precision < 0 ? 6 : s.precision, s.alternate, false);
            case 0 -> {
                if (s.precision < 0) {
                    body = PyNum.repr(a);
                } else {
                    body = general(a, s.precision, s.alternate, false);
                    if (!body.contains(".") && !body.contains("e") && !body.contains("inf")) {
                        body = body + ".0";
                    }
                }
            }
            default -> throw JinjaRuntimeError.type("Unknown format code '" + type + "' for object of type 'float'");
        }
        if (s.grouping != 0) {
            int dot = body.indexOf('.');
            int stop = dot >= 0 ? dot : body.length();
            body = group(body.substring(0, stop), s.grouping) + body.substring(stop);
        }
        return s.pad(body, '>', sign(negative, s));
    }

    private static String fixed(double a, int precision) {
        return new BigDecimal(a).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String scientific(double a, int precision, boolean upper) {
        String out;
        if (a == 0) {
            out = (precision > 0 ? "0." + "0".repeat(precision) : "0") + "e+00";
        } else {
            BigDecimal rounded = new BigDecimal(a).round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
            String digits = rounded.unscaledValue().toString();
            int exponent = digits.length() - 1 - rounded.scale();
            digits = (digits + "0".repeat(precision + 1)).substring(0, precision + 1);
            out = digits.charAt(0) + (precision > 0 ? "." + digits.substring(1) : "")
                    + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
        }
        return upper ? out.toUpperCase() : out;
    }

    private static String general(double a, int precision, boolean alternate, boolean upper) {
        int p = precision == 0 ? 1 : precision;
        int exponent;
        if (a == 0) {
            exponent = 0;
        } else {
            BigDecimal rounded = new BigDecimal(a).round(new MathContext(p, RoundingMode.HALF_EVEN));
            exponent = rounded.precision() - 1 - rounded.scale();
        }
        String out;
        if (exponent >= -4 && exponent < p) {
            out = fixed(a, p - 1 - exponent);
            if (!alternate && out.contains(".")) {
                out = out.replaceAll("0+$", "");
                if (out.endsWith(".")) {
                    out = out.substring(0, out.length() - 1);
                }
            }
        } else {
            out = scientific(a, p - 1, false);
            if (!alternate) {
                int e = out.indexOf('e');
                String mantissa = out.substring(0, e);
                if (mantissa.contains(".")) {
                    mantissa = mantissa.replaceAll("0+$", "");
                    if (mantissa.endsWith(".")) {
                        mantissa = mantissa.substring(0, mantissa.length() - 1);
                    }
                }
                out = mantissa + out.substring(e);
            }
        }
        return upper ? out.toUpperCase() : out;
    }

    private static String group(String digits, char separator) {
        if (separator == 0 || digits.length() <= 3) {
            return digits;
        }
        StringBuilder out = new StringBuilder();
        int first = digits.length() % 3 == 0 ? 3 : digits.length() % 3;
        out.append(digits, 0, first);
        for (int i = first; i < digits.length(); i += 3) {
            out.append(separator).append(digits, i, i + 3);
        }
        return out.toString();
    }

    private static String sign(boolean negative, Spec s) {
        if (negative) {
            return "-";
        }
        return s.sign == '+' ? "+" : s.sign == ' ' ? " " : "";
    }

    /** A parsed standard format specifier. */
    private static final class Spec {
        char fill = ' ';
        char align;
        char sign;
        boolean alternate;
        long width = -1;
        char grouping;
        int precision = -1;
        char type;

        static Spec parse(String spec) {
            Spec s = new Spec();
            int i = 0;
            int n = spec.length();
            if (n >= 2 && "<>=^".indexOf(spec.charAt(1)) >= 0) {
                s.fill = spec.charAt(0);
                s.align = spec.charAt(1);
                i = 2;
            } else if (n >= 1 && "<>=^".indexOf(spec.charAt(0)) >= 0) {
                s.align = spec.charAt(0);
                i = 1;
            }
            if (i < n && "+- ".indexOf(spec.charAt(i)) >= 0) {
                s.sign = spec.charAt(i++);
            }
            if (i < n && spec.charAt(i) == 'z') {
                i++;
            }
            if (i < n && spec.charAt(i) == '#') {
                s.alternate = true;
                i++;
            }
            if (i < n && spec.charAt(i) == '0') {
                if (s.align == 0) {
                    s.fill = '0';
                    s.align = '=';
                }
                i++;
            }
            int start = i;
            while (i < n && Character.isDigit(spec.charAt(i))) {
                i++;
            }
            if (i > start) {
                s.width = Long.parseLong(spec.substring(start, Math.min(i, start + 18)));
            }
            if (i < n && (spec.charAt(i) == ',' || spec.charAt(i) == '_')) {
                s.grouping = spec.charAt(i++);
            }
            if (i < n && spec.charAt(i) == '.') {
                start = ++i;
                while (i < n && Character.isDigit(spec.charAt(i))) {
                    i++;
                }
                if (i == start) {
                    throw JinjaRuntimeError.type("Format specifier missing precision");
                }
                s.precision = Integer.parseInt(spec.substring(start, Math.min(i, start + 6)));
            }
            if (i < n) {
                s.type = spec.charAt(i++);
            }
            if (i < n) {
                throw JinjaRuntimeError.type("Invalid format specifier '" + spec + "'");
            }
            return s;
        }

        String pad(String body, char defaultAlign, String signText) {
            char a = align == 0 ? defaultAlign : align;
            long len = PyStr.length(body) + signText.length();
            if (width <= len) {
                return signText + body;
            }
            Budget.requireSize(width);
            int padding = (int) (width - len);
            String f = String.valueOf(fill);
            return switch (a) {
                case '<' -> signText + body + f.repeat(padding);
                case '^' -> f.repeat(padding / 2) + signText + body + f.repeat(padding - padding / 2);
                case '=' -> signText + f.repeat(padding) + body;
                default -> f.repeat(padding) + signText + body;
            };
        }
    }

    // ---------------------------------------------------------------- printf-style %

    /** Python's {@code fmt % values}. */
    static String percent(String fmt, Object values, boolean escape) {
        List<Object> args;
        Map<?, ?> mapping = null;
        if (values instanceof PyTuple tuple) {
            args = new ArrayList<>(tuple);
        } else {
            args = new ArrayList<>();
            args.add(values);
            if (values instanceof Map<?, ?> map) {
                mapping = map;
            }
        }
        StringBuilder out = new StringBuilder();
        int next = 0;
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (++i >= n) {
                throw JinjaRuntimeError.type("incomplete format");
            }
            Object value = Py.MISSING;
            if (fmt.charAt(i) == '(') {
                int close = fmt.indexOf(')', i);
                if (close < 0 || mapping == null) {
                    throw JinjaRuntimeError.type(close < 0 ? "incomplete format key" : "format requires a mapping");
                }
                Object found = Py.mapGet(mapping, fmt.substring(i + 1, close));
                if (found == Py.MISSING) {
                    throw JinjaRuntimeError.type("KeyError: '" + fmt.substring(i + 1, close) + "'");
                }
                value = found;
                i = close + 1;
            }
            StringBuilder flags = new StringBuilder();
            while (i < n && "#0- +".indexOf(fmt.charAt(i)) >= 0) {
                flags.append(fmt.charAt(i++));
            }
            StringBuilder width = new StringBuilder();
            if (i < n && fmt.charAt(i) == '*') {
                width.append(Args.integer(arg(args, next++)));
                i++;
            }
            while (i < n && Character.isDigit(fmt.charAt(i))) {
                width.append(fmt.charAt(i++));
            }
            String precision = null;
            if (i < n && fmt.charAt(i) == '.') {
                i++;
                StringBuilder p = new StringBuilder();
                while (i < n && Character.isDigit(fmt.charAt(i))) {
                    p.append(fmt.charAt(i++));
                }
                precision = p.isEmpty() ? "0" : p.toString();
            }
            if (i >= n) {
                throw JinjaRuntimeError.type("incomplete format");
            }
            char type = fmt.charAt(i);
            if (type == '%') {
                out.append('%');
                continue;
            }
            if (value == Py.MISSING) {
                value = arg(args, next++);
            }
            String spec = specFor(flags.toString(), width.toString(), precision);
            String piece = switch (type) {
                case 's', 'r', 'a' -> {
                    String text = type == 's' ? Py.str(value) : type == 'r' ? Py.repr(value) : ascii(Py.repr(value));
                    if (precision != null && PyStr.length(text) > Integer.parseInt(precision)) {
                        text = text.substring(0, PyStr.offset(text, Integer.parseInt(precision)));
                    }
                    if (escape && !(value instanceof Markup)) {
                        text = Markup.escaped(text);
                    }
                    yield formatValue(text, specFor(flags.toString().replace("0", ""), width.toString(), null));
                }
                case 'd', 'i', 'u' -> {
                    if (!PyNum.isNumber(value)) {
                        throw JinjaRuntimeError.type("%" + type + " format: a real number is required, not " + Py.typeName(value));
                    }
                    Object integer = value instanceof Double d ? PyNum.normalize(new BigDecimal(d).toBigInteger()) : value;
                    yield formatValue(integer, specFor(flags.toString(), width.toString(), null) + "d");
                }
                case 'x', 'X', 'o' -> {
                    if (!PyNum.isInt(value)) {
                        throw JinjaRuntimeError.type("%" + type + " format: an integer is required, not " + Py.typeName(value));
                    }
                    yield formatValue(value, specFor(flags.toString(), width.toString(), null) + type);
                }
                case 'f', 'F', 'e', 'E', 'g', 'G' -> {
                    if (!PyNum.isNumber(value)) {
                        throw JinjaRuntimeError.type("must be real number, not " + Py.typeName(value));
                    }
                    yield formatValue(PyNum.toDouble(value), spec + type);
                }
                case 'c' -> Py.isStr(value) ? Py.text(value) : Character.toString((int) Args.integer(value));
                default -> throw JinjaRuntimeError.type("unsupported format character '" + type + "'");
            };
            out.append(piece);
        }
        // Python skips this check when the operand supports item access (a list, a dict, Undefined...)
        boolean subscriptable = Py.isList(values) || values instanceof Map || values instanceof PyRange
                || Py.isUndefined(values);
        if (!subscriptable && next < args.size()) {
            throw JinjaRuntimeError.type("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static Object arg(List<Object> args, int index) {
        if (index >= args.size()) {
            throw JinjaRuntimeError.type("not enough arguments for format string");
        }
        return args.get(index);
    }

    private static String specFor(String flags, String width, String precision) {
        StringBuilder spec = new StringBuilder();
        if (flags.contains("-")) {
            spec.append('<');
        }
        if (flags.contains("+")) {
            spec.append('+');
        } else if (flags.contains(" ")) {
            spec.append(' ');
        }
        if (flags.contains("#")) {
            spec.append('#');
        }
        if (flags.contains("0") && !flags.contains("-")) {
            spec.append('0');
        }
        spec.append(width);
        if (precision != null) {
            spec.append('.').append(precision);
        }
        return spec.toString();
    }
}
