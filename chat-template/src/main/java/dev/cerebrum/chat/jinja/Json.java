package dev.cerebrum.chat.jinja;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Python's {@code json.dumps(x, ensure_ascii, indent, separators, sort_keys)}, the way Hugging Face's
 * {@code tojson} filter calls it: same separators, float repr, escaping and key conversion.
 */
final class Json {

    private final boolean ensureAscii;
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final Budget budget;
    private final Set<Object> active = Collections.newSetFromMap(new IdentityHashMap<>());
    private final StringBuilder out = new StringBuilder();

    private Json(boolean ensureAscii, String indent, String itemSeparator, String keySeparator, boolean sortKeys,
                 Budget budget) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.sortKeys = sortKeys;
        this.budget = budget;
    }

    /** {@code indent} is null, an int or a str; {@code separators} null or a pair of str. */
    static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys,
                        Budget budget) {
        String indentText = null;
        if (indent != null) {
            indentText = Args.indentation(indent, budget);
        }
        String itemSeparator = indentText == null ? ", " : ",";
        String keySeparator = ": ";
        if (separators != null) {
            List<Object> pair = Py.toList(separators, budget);
            if (pair.size() != 2) {
                throw JinjaRuntimeError.type("separators must be a pair, got " + pair.size() + " values");
            }
            itemSeparator = Args.str(pair.get(0), "item separator");
            keySeparator = Args.str(pair.get(1), "key separator");
        }
        Json json = new Json(ensureAscii, indentText, itemSeparator, keySeparator, sortKeys, budget);
        json.write(value, 0);
        return budget.string(json.out.toString());
    }

    private void write(Object value, int level) {
        budget.step();
        budget.checkSize(out.length());
        if (level > Py.MAX_NESTING) {
            throw JinjaRuntimeError.limit("a value nests deeper than " + Py.MAX_NESTING + " levels");
        }
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Long l -> out.append(l);
            case java.math.BigInteger b -> out.append(PyNum.intText(b));
            case Double d -> out.append(floatText(d));
            case String s -> string(s);
            case Markup m -> string(m.value());
            case PyRange r -> throw notSerializable(value);
            case List<?> list -> array(list, level);
            case Map<?, ?> map -> object(map, level);
            default -> throw notSerializable(value);
        }
    }

    private static JinjaRuntimeError notSerializable(Object value) {
        return JinjaRuntimeError.type("Object of type " + Py.typeName(value) + " is not JSON serializable");
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return PyNum.repr(d);
    }

    private void enter(Object container) {
        if (!active.add(container)) {
            throw JinjaRuntimeError.type("Circular reference detected");
        }
    }

    private void newline(int level) {
        if (indent != null) {
            budget.checkSize(out.length() + 1L + (long) level * indent.length());
            out.append('\n');
            for (int i = 0; i < level; i++) {
                out.append(indent);
            }
        }
    }

    private void array(List<?> list, int level) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        enter(list);
        out.append('[');
        newline(level + 1);
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                out.append(itemSeparator);
                newline(level + 1);
            }
            write(list.get(i), level + 1);
        }
        newline(level);
        out.append(']');
        active.remove(list);
    }

    private void object(Map<?, ?> map, int level) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        enter(map);
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        if (sortKeys) {
            entries.sort((a, b) -> Py.order(a.getKey(), b.getKey()));
        }
        out.append('{');
        newline(level + 1);
        boolean first = true;
        for (Map.Entry<?, ?> entry : entries) {
            if (!first) {
                out.append(itemSeparator);
                newline(level + 1);
            }
            first = false;
            string(key(entry.getKey()));
            out.append(keySeparator);
            write(entry.getValue(), level + 1);
        }
        newline(level);
        out.append('}');
        active.remove(map);
    }

    private static String key(Object key) {
        return switch (key) {
            case String s -> s;
            case Markup m -> m.value();
            case Double d -> floatText(d);
            case Boolean b -> b ? "true" : "false";
            case null -> "null";
            case Long l -> l.toString();
            case java.math.BigInteger b -> PyNum.intText(b);
            default -> throw JinjaRuntimeError.type("keys must be str, int, float, bool or None, not " + Py.typeName(key));
        };
    }

    private void string(String s) {
        budget.chars(s.length());
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
