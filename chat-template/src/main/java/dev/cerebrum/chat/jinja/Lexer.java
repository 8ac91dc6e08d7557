package dev.cerebrum.chat.jinja;

import dev.cerebrum.chat.jinja.Token.Kind;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits template source into tokens the way jinja2's lexer does with {@code trim_blocks=True} and
 * {@code lstrip_blocks=True}: newlines normalised to {@code \n}, one trailing newline dropped, the
 * {@code -}/{@code +} whitespace controls, and tag ends recognised only while brackets are balanced.
 */
final class Lexer {

    private static final Pattern FLOAT = Pattern.compile(
            "(?<!\\.)(\\d+_)*\\d+((\\.(\\d+_)*\\d+)?e[+\\-]?(\\d+_)*\\d+|\\.(\\d+_)*\\d+)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern INTEGER = Pattern.compile(
            "0b(_?[0-1])+|0o(_?[0-7])+|0x(_?[\\da-f])+|[1-9](_?\\d)*|0(_?0)*", Pattern.CASE_INSENSITIVE);

    private final String src;
    private final int[] lineStarts;
    private final List<Token> tokens = new ArrayList<>();
    private final Matcher floatMatcher;
    private final Matcher integerMatcher;
    private int pos;
    private boolean lineStarting = true;

    private Lexer(String source) {
        this.src = normalize(source);
        this.lineStarts = lineStarts(src);
        this.floatMatcher = FLOAT.matcher(src).useTransparentBounds(true).useAnchoringBounds(false);
        this.integerMatcher = INTEGER.matcher(src).useTransparentBounds(true).useAnchoringBounds(false);
    }

    /** All tokens of the source, ending with {@link Kind#EOF}. */
    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.root();
        lexer.tokens.add(new Token(Kind.EOF, "", lexer.lineOf(lexer.src.length()), lexer.columnOf(lexer.src.length())));
        return lexer.tokens;
    }

    /** jinja2 normalises every newline sequence to {@code \n} and drops a single trailing newline. */
    static String normalize(String source) {
        StringBuilder out = new StringBuilder(source.length());
        for (int i = 0; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '\r') {
                out.append('\n');
                if (i + 1 < source.length() && source.charAt(i + 1) == '\n') {
                    i++;
                }
            } else {
                out.append(c);
            }
        }
        if (out.length() > 0 && out.charAt(out.length() - 1) == '\n') {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }

    private static int[] lineStarts(String s) {
        int[] starts = new int[16];
        int count = 1;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = i + 1;
            }
        }
        return Arrays.copyOf(starts, count);
    }

    private int lineOf(int position) {
        int index = Arrays.binarySearch(lineStarts, position);
        return (index >= 0 ? index : -index - 2) + 1;
    }

    private int columnOf(int position) {
        return position - lineStarts[lineOf(position) - 1] + 1;
    }

    private JinjaSyntaxError error(String problem, int position) {
        return new JinjaSyntaxError(problem, lineOf(position), columnOf(position));
    }

    private void add(Kind kind, Object value, int position) {
        tokens.add(new Token(kind, value, lineOf(position), columnOf(position)));
    }

    // ---------------------------------------------------------------- root state

    private enum Opener { VARIABLE, BLOCK, COMMENT, RAW }

    private void root() {
        int n = src.length();
        while (pos < n) {
            int start = findOpener(pos);
            if (start < 0) {
                add(Kind.DATA, src.substring(pos), pos);
                pos = n;
                return;
            }
            char type = src.charAt(start + 1);
            char sign = start + 2 < n ? src.charAt(start + 2) : 0;
            if (sign != '-' && sign != '+') {
                sign = 0;
            }
            Opener opener = type == '{' ? Opener.VARIABLE : type == '#' ? Opener.COMMENT : Opener.BLOCK;
            int rawEnd = -1;
            if (opener == Opener.BLOCK) {
                rawEnd = matchRawBegin(start);
                if (rawEnd >= 0) {
                    opener = Opener.RAW;
                }
            }
            String text = stripBefore(src.substring(pos, start), sign, opener != Opener.VARIABLE);
            if (!text.isEmpty()) {
                add(Kind.DATA, text, pos);
            }
            int afterOpener = start + 2 + (sign != 0 ? 1 : 0);
            lineStarting = false;
            switch (opener) {
                case VARIABLE -> {
                    add(Kind.VARIABLE_BEGIN, "{{", start);
                    pos = afterOpener;
                    tag(Kind.VARIABLE_END);
                }
                case BLOCK -> {
                    add(Kind.BLOCK_BEGIN, "{%", start);
                    pos = afterOpener;
                    tag(Kind.BLOCK_END);
                }
                case COMMENT -> {
                    pos = afterOpener;
                    comment(start);
                }
                case RAW -> {
                    lineStarting = src.charAt(rawEnd - 1) == '\n';
                    pos = rawEnd;
                    raw(start);
                }
            }
        }
    }

    private int findOpener(int from) {
        int n = src.length();
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < n; i = src.indexOf('{', i + 1)) {
            char next = src.charAt(i + 1);
            if (next == '{' || next == '%' || next == '#') {
                return i;
            }
        }
        return -1;
    }

    /** Applies {@code -} (strip all whitespace before) or lstrip_blocks to the text before a tag. */
    private String stripBefore(String text, char sign, boolean lstripApplies) {
        if (sign == '-') {
            return PyStr.rstripSpace(text);
        }
        if (sign != '+' && lstripApplies) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.length() && allSpace(text, lineStart)) {
                return text.substring(0, lineStart);
            }
        }
        return text;
    }

    private static boolean allSpace(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (!PyStr.isSpace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private int skipSpace(int at) {
        while (at < src.length() && PyStr.isSpace(src.charAt(at))) {
            at++;
        }
        return at;
    }

    /** The end of {@code {% raw %}} starting at {@code start}, or -1 if this block tag is not raw. */
    private int matchRawBegin(int start) {
        int at = start + 2;
        if (at < src.length() && (src.charAt(at) == '-' || src.charAt(at) == '+')) {
            at++;
        }
        at = skipSpace(at);
        if (!src.startsWith("raw", at)) {
            return -1;
        }
        at = skipSpace(at + 3);
        if (src.startsWith("-%}", at)) {
            return skipSpace(at + 3);
        }
        return src.startsWith("%}", at) ? at + 2 : -1;
    }

    private void raw(int begin) {
        for (int at = src.indexOf("{%", pos); at >= 0; at = src.indexOf("{%", at + 1)) {
            int q = at + 2;
            char sign = q < src.length() ? src.charAt(q) : 0;
            if (sign == '-' || sign == '+') {
                q++;
            } else {
                sign = 0;
            }
            q = skipSpace(q);
            if (!src.startsWith("endraw", q)) {
                continue;
            }
            int end = blockEnd(skipSpace(q + 6));
            if (end < 0) {
                continue;
            }
            String text = stripBefore(src.substring(pos, at), sign, true);
            if (!text.isEmpty()) {
                add(Kind.DATA, text, pos);
            }
            lineStarting = src.charAt(end - 1) == '\n';
            pos = end;
            return;
        }
        throw error("Missing end of raw directive", begin);
    }

    private void comment(int begin) {
        int close = src.indexOf("#}", pos);
        if (close < 0) {
            throw error("Missing end of comment tag", begin);
        }
        char sign = close - 1 >= pos ? src.charAt(close - 1) : 0;
        int end;
        if (sign == '-') {
            end = skipSpace(close + 2);
        } else if (sign == '+') {
            end = close + 2;
        } else {
            end = close + 2 < src.length() && src.charAt(close + 2) == '\n' ? close + 3 : close + 2;
        }
        lineStarting = src.charAt(end - 1) == '\n';
        pos = end;
    }

    /** Length-inclusive end of a block tag end ({@code +%}}, {@code -%}} plus whitespace, {@code %}} plus one newline). */
    private int blockEnd(int at) {
        if (src.startsWith("+%}", at)) {
            return at + 3;
        }
        if (src.startsWith("-%}", at)) {
            return skipSpace(at + 3);
        }
        if (src.startsWith("%}", at)) {
            return at + 2 < src.length() && src.charAt(at + 2) == '\n' ? at + 3 : at + 2;
        }
        return -1;
    }

    private int variableEnd(int at) {
        if (src.startsWith("-}}", at)) {
            return skipSpace(at + 3);
        }
        return src.startsWith("}}", at) ? at + 2 : -1;
    }

    // ---------------------------------------------------------------- inside {{ }} and {% %}

    private void tag(Kind endKind) {
        Deque<Character> balance = new ArrayDeque<>();
        int n = src.length();
        while (pos < n) {
            if (balance.isEmpty()) {
                int end = endKind == Kind.BLOCK_END ? blockEnd(pos) : variableEnd(pos);
                if (end >= 0) {
                    add(endKind, endKind == Kind.BLOCK_END ? "%}" : "}}", pos);
                    lineStarting = src.charAt(end - 1) == '\n';
                    pos = end;
                    return;
                }
            }
            char c = src.charAt(pos);
            if (PyStr.isSpace(c)) {
                pos = skipSpace(pos);
            } else if (c >= '0' && c <= '9' || c == '.' && pos + 1 < n && Character.isDigit(src.charAt(pos + 1))) {
                number();
            } else if (c == '_' || Character.isLetter(c) || Character.isHighSurrogate(c)
                    || Character.getType(c) == Character.LETTER_NUMBER) {
                name();
            } else if (c == '\'' || c == '"') {
                string(c);
            } else {
                operator(balance);
            }
        }
    }

    private void number() {
        int start = pos;
        floatMatcher.region(pos, src.length());
        if (floatMatcher.lookingAt()) {
            String text = floatMatcher.group().replace("_", "");
            pos = floatMatcher.end();
            add(Kind.FLOAT, Double.parseDouble(text), start);
            return;
        }
        integerMatcher.region(pos, src.length());
        if (!integerMatcher.lookingAt()) {
            operatorOrFail(start);
            return;
        }
        String text = integerMatcher.group().replace("_", "").toLowerCase();
        pos = integerMatcher.end();
        BigInteger value;
        if (text.startsWith("0b")) {
            value = new BigInteger(text.substring(2), 2);
        } else if (text.startsWith("0o")) {
            value = new BigInteger(text.substring(2), 8);
        } else if (text.startsWith("0x")) {
            value = new BigInteger(text.substring(2), 16);
        } else {
            value = new BigInteger(text);
        }
        add(Kind.INTEGER, PyNum.normalize(value), start);
    }

    private void operatorOrFail(int at) {
        // a lone "." before digits that is not a float, for example "x.0": the dot is an operator
        if (src.charAt(at) == '.') {
            add(Kind.DOT, ".", at);
            pos = at + 1;
            return;
        }
        throw error("unexpected char '" + src.charAt(at) + "' at " + at, at);
    }

    private void name() {
        int start = pos;
        int cp = src.codePointAt(pos);
        if (!(cp == '_' || Character.isLetter(cp) || Character.getType(cp) == Character.LETTER_NUMBER)) {
            throw error("unexpected char '" + Character.toString(cp) + "' at " + start, start);
        }
        pos += Character.charCount(cp);
        while (pos < src.length()) {
            cp = src.codePointAt(pos);
            if (cp == '_' || Character.isLetterOrDigit(cp) || isIdentifierPart(cp)) {
                pos += Character.charCount(cp);
            } else {
                break;
            }
        }
        add(Kind.NAME, src.substring(start, pos), start);
    }

    private static boolean isIdentifierPart(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.CONNECTOR_PUNCTUATION || type == Character.LETTER_NUMBER;
    }

    private void string(char quote) {
        int start = pos;
        int at = pos + 1;
        while (at < src.length()) {
            char c = src.charAt(at);
            if (c == '\\') {
                at += 2;
            } else if (c == quote) {
                add(Kind.STRING, unescape(src.substring(start + 1, at), start), start);
                pos = at + 1;
                return;
            } else {
                at++;
            }
        }
        throw error("unexpected char '" + quote + "' at " + start, start);
    }

    /** Python's {@code unicode-escape} decoding of a literal, as jinja2 applies it. */
    private String unescape(String body, int at) {
        if (body.indexOf('\\') < 0) {
            return body;
        }
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                out.append(c);
                i++;
                continue;
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case '\n' -> { }
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + digits > body.length() || !isHex(body, i, digits)) {
                        throw error("truncated \\" + e + " escape", at);
                    }
                    int cp = Integer.parseUnsignedInt(body.substring(i, i + digits), 16);
                    if (cp > Character.MAX_CODE_POINT) {
                        throw error("illegal Unicode character", at);
                    }
                    out.appendCodePoint(cp);
                    i += digits;
                }
                case 'N' -> {
                    int close = body.indexOf('}', i);
                    if (i >= body.length() || body.charAt(i) != '{' || close < 0) {
                        throw error("malformed \\N character escape", at);
                    }
                    try {
                        out.appendCodePoint(Character.codePointOf(body.substring(i + 1, close)));
                    } catch (IllegalArgumentException unknown) {
                        throw error("unknown Unicode character name", at);
                    }
                    i = close + 1;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i - 1;
                        while (end < body.length() && end < i + 2 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
                            end++;
                        }
                        out.appendCodePoint(Integer.parseInt(body.substring(i - 1, end), 8));
                        i = end;
                    } else if (e > 0x7f) {
                        // jinja2 first turns non-ASCII into backslash escapes, so "\é" decodes to "\xe9"
                        int cp = body.codePointAt(i - 1);
                        out.append('\\').append(PyStr.backslashEscape(cp).substring(1));
                        i += Character.charCount(cp) - 1;
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
        return out.toString();
    }

    private static boolean isHex(String s, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private void operator(Deque<Character> balance) {
        int start = pos;
        String two = pos + 2 <= src.length() ? src.substring(pos, pos + 2) : "";
        Kind kind = switch (two) {
            case "**" -> Kind.POW;
            case "//" -> Kind.FLOORDIV;
            case "==" -> Kind.EQ;
            case "!=" -> Kind.NE;
            case ">=" -> Kind.GTEQ;
            case "<=" -> Kind.LTEQ;
            default -> null;
        };
        if (kind != null) {
            add(kind, two, start);
            pos += 2;
            return;
        }
        char c = src.charAt(pos);
        kind = switch (c) {
            case '+' -> Kind.ADD;
            case '-' -> Kind.SUB;
            case '/' -> Kind.DIV;
            case '*' -> Kind.MUL;
            case '%' -> Kind.MOD;
            case '~' -> Kind.TILDE;
            case '[' -> Kind.LBRACKET;
            case ']' -> Kind.RBRACKET;
            case '(' -> Kind.LPAREN;
            case ')' -> Kind.RPAREN;
            case '{' -> Kind.LBRACE;
            case '}' -> Kind.RBRACE;
            case '>' -> Kind.GT;
            case '<' -> Kind.LT;
            case '=' -> Kind.ASSIGN;
            case '.' -> Kind.DOT;
            case ':' -> Kind.COLON;
            case '|' -> Kind.PIPE;
            case ',' -> Kind.COMMA;
            case ';' -> Kind.SEMICOLON;
            default -> throw error("unexpected char '" + Character.toString(src.codePointAt(pos)) + "' at " + pos, pos);
        };
        switch (c) {
            case '{' -> balance.push('}');
            case '(' -> balance.push(')');
            case '[' -> balance.push(']');
            case '}', ')', ']' -> {
                if (balance.isEmpty()) {
                    throw error("unexpected '" + c + "'", start);
                }
                char expected = balance.pop();
                if (expected != c) {
                    throw error("unexpected '" + c + "', expected '" + expected + "'", start);
                }
            }
            default -> { }
        }
        add(kind, String.valueOf(c), start);
        pos++;
    }
}
