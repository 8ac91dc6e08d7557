package dev.cerebrum.grammar;

import dev.cerebrum.grammar.Expression.AnyChar;
import dev.cerebrum.grammar.Expression.CharClass;
import dev.cerebrum.grammar.Expression.CharRange;
import dev.cerebrum.grammar.Expression.Group;
import dev.cerebrum.grammar.Expression.Literal;
import dev.cerebrum.grammar.Expression.Repeat;
import dev.cerebrum.grammar.Expression.RuleRef;
import dev.cerebrum.grammar.GrammarException.Problem;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GBNF parser that follows llama.cpp's {@code llama_grammar_parser} ({@code src/llama-grammar.cpp})
 * character by character, so that it accepts exactly what llama.cpp parses, minus what one of the two
 * llama.cpp versions in use would treat differently or fatally:
 * <ul>
 *   <li>b4916 (de.kherud:llama 4.2.0) does not know tokens ({@code <[12]>}, {@code <name>}, {@code !<...>})
 *       nor the {@code \-} escape; the current version does;</li>
 *   <li>the current version turns a repetition maximum above 2000 into "unbounded", refuses 2000 or more
 *       "rules repeated" (its {@code MAX_REPETITION_THRESHOLD}), and loops on {@code {m,n}} with
 *       {@code n < m};</li>
 *   <li>both silently accept, and then mis-handle, an empty class {@code []}, a reversed range, a NUL,
 *       a rule defined twice, and text after a NUL.</li>
 * </ul>
 * While parsing it also counts what llama.cpp's expansion of repetitions builds: rules (symbols) and
 * elements, exactly, without building them.
 */
final class GbnfParser {
    /** llama.cpp's {@code MAX_REPETITION_THRESHOLD} in its current version; b4916 has none. */
    static final long LLAMA_REPETITION_THRESHOLD = 2000;

    private final String src;
    private final int length;
    /** Every name written in the grammar, with the position of its first use or definition. */
    private final Map<String, Position> names = new LinkedHashMap<>();
    private final Map<String, Rule> rules = new LinkedHashMap<>();
    private final Map<String, Position> firstReference = new HashMap<>();
    /** llama.cpp's symbol count: user names plus generated group and repetition rules. */
    private long symbols;
    private long elements;
    private int depth;
    private int maxDepth;

    /** The code point and end of the last {@link #parseChar}. */
    private int charValue;
    private int charStart;

    private GbnfParser(String src) {
        this.src = src;
        this.length = src.length();
    }

    /** The result of parsing: rules in written order, and the expansion counts. */
    record Parsed(List<Rule> rules, Map<String, Position> firstReference, long symbols, long elements,
                  int maxDepth, int bytes) {
    }

    static Parsed parse(String text) {
        int bytes = utf8Length(text);
        GbnfParser parser = new GbnfParser(text);
        if (bytes > GrammarLimits.MAX_BYTES) {
            throw parser.error(Problem.LIMIT, 0, "grammar is " + bytes + " bytes; the limit is "
                    + GrammarLimits.MAX_BYTES);
        }
        parser.checkCharacters();
        parser.parseAll();
        return new Parsed(List.copyOf(parser.rules.values()), Map.copyOf(parser.firstReference),
                parser.symbols, parser.elements, parser.maxDepth, bytes);
    }

    private static int utf8Length(String text) {
        // Unpaired surrogates are refused later; count them as the 3 bytes they would take.
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** llama.cpp reads a C string: a NUL ends the grammar early, so refuse it, and unpaired surrogates. */
    private void checkCharacters() {
        for (int i = 0; i < length; i++) {
            char c = src.charAt(i);
            if (c == 0) {
                throw error(Problem.BAD_CHARACTER, i, "the grammar contains a NUL character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(src.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw error(Problem.BAD_CHARACTER, i, "the grammar is not valid Unicode (an unpaired surrogate)");
            }
        }
    }

    /** The character at {@code i}, or 0 past the end, as llama.cpp sees its terminating NUL. */
    private char at(int i) {
        return i < length ? src.charAt(i) : 0;
    }

    private void parseAll() {
        int pos = parseSpace(0, true);
        while (at(pos) != 0) {
            pos = parseRule(pos);
        }
        if (rules.isEmpty()) {
            throw error(Problem.MISSING_ROOT, 0, "the grammar defines no rules; it needs a 'root' rule");
        }
        if (!rules.containsKey("root")) {
            Position used = firstReference.get("root");
            throw new GrammarException(Problem.MISSING_ROOT, used == null ? 1 : used.line(),
                    used == null ? 1 : used.column(), "the grammar has no rule named 'root'");
        }
        for (Map.Entry<String, Position> ref : firstReference.entrySet()) {
            if (!rules.containsKey(ref.getKey())) {
                Position p = ref.getValue();
                throw new GrammarException(Problem.UNDEFINED_RULE, p.line(), p.column(),
                        "rule '" + ref.getKey() + "' is used but never defined");
            }
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || isDigit(c);
    }

    private int parseSpace(int pos, boolean newlineOk) {
        while (true) {
            char c = at(pos);
            if (c == ' ' || c == '\t') {
                pos++;
            } else if (c == '#') {
                while (at(pos) != 0 && at(pos) != '\r' && at(pos) != '\n') {
                    pos++;
                }
            } else if (newlineOk && (c == '\r' || c == '\n')) {
                pos++;
            } else {
                return pos;
            }
        }
    }

    private int parseName(int pos) {
        int end = pos;
        while (isWordChar(at(end))) {
            end++;
        }
        if (end == pos) {
            throw error(Problem.SYNTAX, pos, "expecting a rule name" + found(pos));
        }
        return end;
    }

    private int parseRule(int pos) {
        int nameEnd = parseName(pos);
        String name = src.substring(pos, nameEnd);
        Position position = position(pos);
        int p = parseSpace(nameEnd, false);
        if (!(at(p) == ':' && at(p + 1) == ':' && at(p + 2) == '=')) {
            throw error(Problem.SYNTAX, p, "expecting '::=' after rule name '" + name + "'" + found(p));
        }
        Rule previous = rules.get(name);
        if (previous != null) {
            throw error(Problem.DUPLICATE_RULE, pos, "rule '" + name + "' is defined twice (first on line "
                    + previous.position().line() + ")");
        }
        symbol(name, position);
        p = parseSpace(p + 3, true);
        RuleSize size = new RuleSize();
        Alternatives body = parseAlternates(p, size, false);
        p = lastPos;
        rules.put(name, new Rule(name, body, position));
        char c = at(p);
        if (c == '\r') {
            p += at(p + 1) == '\n' ? 2 : 1;
        } else if (c == '\n') {
            p++;
        } else if (c != 0) {
            throw error(Problem.SYNTAX, p, "expecting a newline or the end of the grammar" + found(p));
        }
        return parseSpace(p, true);
    }

    /** The position after the last {@link #parseAlternates} or {@link #parseSequence}. */
    private int lastPos;
    /** The nesting of groups and repetitions in the last {@link #parseAlternates} or {@link #parseSequence}. */
    private int lastHeight;

    /** The element count of the llama.cpp rule being built (its alternatives share it). */
    private static final class RuleSize {
        long size;
    }

    private Alternatives parseAlternates(int pos, RuleSize size, boolean nested) {
        List<Sequence> choices = new ArrayList<>();
        choices.add(parseSequence(pos, size, nested));
        int height = lastHeight;
        int p = lastPos;
        while (at(p) == '|') {
            size.size = add(size.size, 1); // ALT
            p = parseSpace(p + 1, true);
            choices.add(parseSequence(p, size, nested));
            height = Math.max(height, lastHeight);
            p = lastPos;
        }
        lastHeight = height;
        size.size = add(size.size, 1); // END
        elements = add(elements, size.size);
        lastPos = p;
        return new Alternatives(choices);
    }

    private Sequence parseSequence(int start, RuleSize rule, boolean nested) {
        List<Expression> items = new ArrayList<>();
        List<Integer> heights = new ArrayList<>();
        long lastSymStart = rule.size;
        long prevRules = 1;
        int pos = start;
        while (true) {
            char c = at(pos);
            if (c == 0) {
                break;
            }
            if (c == '"') {
                Position position = position(pos);
                pos++;
                lastSymStart = rule.size;
                prevRules = 1;
                StringBuilder text = new StringBuilder();
                while (at(pos) != '"') {
                    if (at(pos) == 0) {
                        throw error(Problem.SYNTAX, position, "the string is not closed");
                    }
                    pos = parseChar(pos);
                    checkCharacter(charValue, charStart, "in a string");
                    text.appendCodePoint(charValue);
                    rule.size = add(rule.size, 1);
                }
                items.add(new Literal(text.toString(), position));
                heights.add(0);
                pos = parseSpace(pos + 1, nested);
            } else if (c == '[') {
                int classStart = pos;
                Position position = position(pos);
                pos++;
                boolean negated = false;
                if (at(pos) == '^') {
                    pos++;
                    negated = true;
                }
                lastSymStart = rule.size;
                prevRules = 1;
                List<CharRange> ranges = new ArrayList<>();
                while (at(pos) != ']') {
                    if (at(pos) == 0) {
                        throw error(Problem.SYNTAX, position, "the character class is not closed");
                    }
                    pos = parseChar(pos);
                    int first = charValue;
                    int firstStart = charStart;
                    rule.size = add(rule.size, 1);
                    if (at(pos) == '-' && at(pos + 1) != ']') {
                        if (at(pos + 1) == 0) {
                            throw error(Problem.SYNTAX, position, "the character class is not closed");
                        }
                        pos = parseChar(pos + 1);
                        int last = charValue;
                        rule.size = add(rule.size, 1);
                        if (last < first) {
                            throw error(Problem.EMPTY_CHARACTER_CLASS, firstStart, "the range "
                                    + excerpt(firstStart, pos) + " is reversed, so it matches nothing");
                        }
                        ranges.add(new CharRange(first, last));
                    } else {
                        if (!negated) {
                            checkCharacter(first, firstStart, "in a character class");
                        }
                        ranges.add(new CharRange(first, first));
                    }
                }
                if (ranges.isEmpty()) {
                    throw error(Problem.EMPTY_CHARACTER_CLASS, position, "the character class "
                            + (negated ? "[^]" : "[]") + " is empty; llama.cpp would match the empty string");
                }
                CharClass charClass = new CharClass(negated, ranges, position);
                if (!CharClasses.matchesSomething(charClass)) {
                    throw error(Problem.EMPTY_CHARACTER_CLASS, position, "the character class "
                            + excerpt(classStart, pos + 1) + " matches no character a model can produce");
                }
                items.add(charClass);
                heights.add(0);
                pos = parseSpace(pos + 1, nested);
            } else if (c == '<' || c == '!') {
                throw error(Problem.UNSUPPORTED_SYNTAX, pos, "tokens ('<...>', '!<...>') are not supported:"
                        + " the llama.cpp of the engine does not know them");
            } else if (isWordChar(c)) {
                int nameEnd = parseName(pos);
                String name = src.substring(pos, nameEnd);
                Position position = position(pos);
                symbol(name, position);
                firstReference.putIfAbsent(name, position);
                pos = parseSpace(nameEnd, nested);
                lastSymStart = rule.size;
                prevRules = 1;
                rule.size = add(rule.size, 1);
                items.add(new RuleRef(name, position));
                heights.add(0);
            } else if (c == '(') {
                Position position = position(pos);
                depth++;
                if (depth > GrammarLimits.MAX_NESTING) {
                    throw error(Problem.LIMIT, position, "parentheses nest " + depth
                            + " deep; the limit is " + GrammarLimits.MAX_NESTING);
                }
                maxDepth = Math.max(maxDepth, depth);
                pos = parseSpace(pos + 1, true);
                long before = symbols;
                generatedSymbol();
                Alternatives body = parseAlternates(pos, new RuleSize(), true);
                pos = lastPos;
                depth--;
                prevRules = Math.max(1, symbols - before);
                lastSymStart = rule.size;
                rule.size = add(rule.size, 1);
                if (at(pos) != ')') {
                    throw error(Problem.SYNTAX, pos, "expecting ')' to close the '(' of line " + position.line()
                            + ", column " + position.column() + found(pos));
                }
                items.add(new Group(body, position));
                heights.add(lastHeight + 1);
                pos = parseSpace(pos + 1, nested);
            } else if (c == '.') {
                lastSymStart = rule.size;
                prevRules = 1;
                rule.size = add(rule.size, 1);
                items.add(new AnyChar(position(pos)));
                heights.add(0);
                pos = parseSpace(pos + 1, nested);
            } else if (c == '*' || c == '+' || c == '?') {
                int opPos = pos;
                pos = parseSpace(pos + 1, nested);
                int min = c == '+' ? 1 : 0;
                int max = c == '?' ? 1 : Expression.UNBOUNDED;
                prevRules = repeat(items, heights, rule, lastSymStart, prevRules, min, max, opPos);
            } else if (c == '{') {
                int opPos = pos;
                pos = parseSpace(pos + 1, nested);
                if (!isDigit(at(pos))) {
                    throw error(Problem.SYNTAX, pos, "expecting a number after '{'" + found(pos));
                }
                int min = parseCount(pos);
                pos = parseSpace(lastPos, nested);
                int max;
                if (at(pos) == '}') {
                    max = min;
                    pos = parseSpace(pos + 1, nested);
                } else if (at(pos) == ',') {
                    pos = parseSpace(pos + 1, nested);
                    max = Expression.UNBOUNDED;
                    if (isDigit(at(pos))) {
                        max = parseCount(pos);
                        pos = parseSpace(lastPos, nested);
                    }
                    if (at(pos) != '}') {
                        throw error(Problem.SYNTAX, pos, "expecting '}'" + found(pos));
                    }
                    pos = parseSpace(pos + 1, nested);
                } else {
                    throw error(Problem.SYNTAX, pos, "expecting ',' or '}'" + found(pos));
                }
                if (max != Expression.UNBOUNDED && max < min) {
                    throw error(Problem.BAD_REPETITION, opPos, "the repetition {" + min + "," + max
                            + "} has its maximum below its minimum");
                }
                prevRules = repeat(items, heights, rule, lastSymStart, prevRules, min, max, opPos);
            } else {
                break;
            }
        }
        lastPos = pos;
        lastHeight = heights.stream().mapToInt(Integer::intValue).max().orElse(0);
        return new Sequence(items);
    }

    /** A repetition count, bounded by {@link GrammarLimits#MAX_REPETITION}. */
    private int parseCount(int pos) {
        int end = pos;
        while (isDigit(at(end))) {
            end++;
        }
        lastPos = end;
        String digits = src.substring(pos, end);
        long value = digits.length() > 12 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (value > GrammarLimits.MAX_REPETITION) {
            throw error(Problem.LIMIT, pos, "repetition count " + (value == Long.MAX_VALUE ? digits : value)
                    + " is above the limit of " + GrammarLimits.MAX_REPETITION);
        }
        return (int) value;
    }

    /**
     * llama.cpp's {@code handle_repetitions}: the last item is copied {@code min} times and followed by a
     * chain of {@code max - min} optional rules (or one recursive rule when unbounded).
     *
     * @return the new "rules repeated" count of the current llama.cpp version
     */
    private long repeat(List<Expression> items, List<Integer> heights, RuleSize rule, long lastSymStart,
                        long prevRules, int min, int max, int opPos) {
        if (lastSymStart == rule.size) {
            throw error(Problem.BAD_REPETITION, opPos, "'" + src.charAt(opPos) + "' has nothing before it to repeat");
        }
        boolean unbounded = max == Expression.UNBOUNDED;
        long totalRules = !unbounded && max > 0 ? max : Math.max(min, 1);
        if (mul(prevRules, totalRules) >= LLAMA_REPETITION_THRESHOLD) {
            throw error(Problem.LIMIT, opPos, "nested repetitions multiply to " + mul(prevRules, totalRules)
                    + " repeated rules; llama.cpp refuses " + LLAMA_REPETITION_THRESHOLD + " or more");
        }
        long itemSize = rule.size - lastSymStart;
        rule.size = min == 0 ? lastSymStart : add(rule.size, mul(min - 1, itemSize));
        long optional = unbounded ? 1 : max - min;
        if (optional > 0) {
            symbols = add(symbols, optional);
            // each generated rule: the item, a reference to the next (not in the innermost of a bounded
            // chain), ALT and END
            elements = add(elements, add(mul(optional, add(itemSize, 3)), unbounded ? 0 : -1));
            rule.size = add(rule.size, 1);
        }
        if (symbols > GrammarLimits.MAX_RULES) {
            throw error(Problem.LIMIT, opPos, "the grammar expands to more than " + GrammarLimits.MAX_RULES
                    + " rules; the limit is " + GrammarLimits.MAX_RULES);
        }
        Expression item = items.removeLast();
        int height = heights.removeLast() + 1 + depth;
        if (height > GrammarLimits.MAX_NESTING) {
            throw error(Problem.LIMIT, opPos, "groups and repetitions nest " + height + " deep; the limit is "
                    + GrammarLimits.MAX_NESTING);
        }
        maxDepth = Math.max(maxDepth, height);
        items.add(new Repeat(item, min, max, position(opPos)));
        heights.add(height - depth);
        return mul(prevRules, totalRules);
    }

    /** Registers a user name as llama.cpp's {@code get_symbol_id} does. */
    private void symbol(String name, Position position) {
        if (names.putIfAbsent(name, position) == null) {
            symbols = add(symbols, 1);
        }
    }

    /** llama.cpp's {@code generate_symbol_id}: a rule for a group or a repetition. */
    private void generatedSymbol() {
        symbols = add(symbols, 1);
    }

    /** llama.cpp's {@code parse_char}: an escape or one UTF-8 character; sets {@link #charValue}. */
    private int parseChar(int pos) {
        charStart = pos;
        char c = at(pos);
        if (c == '\\') {
            char e = at(pos + 1);
            switch (e) {
                case 'x' -> {
                    return parseHex(pos, 2);
                }
                case 'u' -> {
                    return parseHex(pos, 4);
                }
                case 'U' -> {
                    return parseHex(pos, 8);
                }
                case 't' -> charValue = '\t';
                case 'r' -> charValue = '\r';
                case 'n' -> charValue = '\n';
                case '\\', '"', '[', ']' -> charValue = e;
                case '-' -> throw error(Problem.UNSUPPORTED_SYNTAX, pos, "the escape \\- is not known to the"
                        + " llama.cpp of the engine; put '-' first or last in the class instead");
                case 0 -> throw error(Problem.SYNTAX, pos, "the grammar ends after a backslash");
                default -> throw error(Problem.BAD_ESCAPE, pos, "unknown escape \\" + printable(pos + 1));
            }
            return pos + 2;
        }
        if (c == 0) {
            throw error(Problem.SYNTAX, pos, "unexpected end of the grammar");
        }
        charValue = src.codePointAt(pos);
        return pos + Character.charCount(charValue);
    }

    private int parseHex(int pos, int digits) {
        long value = 0;
        int p = pos + 2;
        for (int i = 0; i < digits; i++, p++) {
            char h = at(p);
            int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
            if (d < 0) {
                throw error(Problem.BAD_ESCAPE, pos, "the escape \\" + src.charAt(pos + 1) + " needs exactly "
                        + digits + " hex digits");
            }
            value = value * 16 + d;
        }
        if (value > Character.MAX_CODE_POINT) {
            throw error(Problem.BAD_CHARACTER, pos, src.substring(pos, p) + " is not a Unicode code point"
                    + " (the highest is \\U0010FFFF)");
        }
        charValue = (int) value;
        return p;
    }

    /** A character that must be matched itself: not NUL, not a surrogate. */
    private void checkCharacter(int cp, int pos, String where) {
        if (cp == 0) {
            throw error(Problem.BAD_CHARACTER, pos, "NUL " + where + " can never be generated");
        }
        if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
            throw error(Problem.BAD_CHARACTER, pos, src.substring(pos, Math.min(length, pos + 6))
                    + " " + where + " is a surrogate, not a character");
        }
    }

    private String printable(int pos) {
        if (pos >= length) {
            return "";
        }
        int cp = src.codePointAt(pos);
        return Character.isISOControl(cp) || Character.isWhitespace(cp)
                ? String.format("U+%04X", cp) : new String(Character.toChars(cp));
    }

    /** ", found 'x'" for a message, or ", found the end" at the end. */
    private String found(int pos) {
        if (pos >= length) {
            return ", found the end of the grammar";
        }
        int cp = src.codePointAt(pos);
        if (cp == '\n' || cp == '\r') {
            return ", found the end of the line";
        }
        return ", found '" + printable(pos) + "'";
    }

    /** A piece of the grammar for a message, shortened to 40 characters. */
    private String excerpt(int start, int end) {
        end = Math.min(end, length);
        return end - start <= 40 ? src.substring(start, end) : src.substring(start, start + 37) + "...";
    }

    // Positions are asked for in increasing order while parsing: continue from the last one.
    private int cachedIndex;
    private int cachedLine = 1;
    private int cachedColumn = 1;

    private Position position(int index) {
        index = Math.min(index, length);
        if (index < cachedIndex) {
            cachedIndex = 0;
            cachedLine = 1;
            cachedColumn = 1;
        }
        for (int i = cachedIndex; i < index; i++) {
            char c = src.charAt(i);
            if (c == '\n') {
                cachedLine++;
                cachedColumn = 1;
            } else if (!Character.isLowSurrogate(c)) {
                cachedColumn++;
            }
        }
        cachedIndex = index;
        return new Position(cachedLine, cachedColumn);
    }

    private GrammarException error(Problem problem, int index, String reason) {
        return error(problem, position(index), reason);
    }

    private static GrammarException error(Problem problem, Position position, String reason) {
        return new GrammarException(problem, position.line(), position.column(), reason);
    }

    /** Saturating addition of non-negative counts. */
    static long add(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** Saturating multiplication of non-negative counts. */
    static long mul(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }
}
