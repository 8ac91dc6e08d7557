package dev.cerebrum.chat.jinja;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Python value semantics for the values a template sees. None is {@code null}; int is {@link Long} or
 * {@link BigInteger}; float {@link Double}; str {@link String} (or {@link Markup}); list a mutable
 * {@link List}; tuple {@link PyTuple}; dict a {@link LinkedHashMap}. Attribute and item lookup follow
 * jinja2's {@code ImmutableSandboxedEnvironment}: methods that change a list or dict are refused, and
 * nothing reaches a Java object that is not one of these values.
 */
final class Py {

    /** "No such attribute or item", distinct from None and from Undefined. */
    static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "MISSING";
        }
    };

    /** Nesting of values deeper than this (when printing or comparing) is refused. */
    static final int MAX_NESTING = 512;

    private Py() {
    }

    // ---------------------------------------------------------------- types

    static boolean isStr(Object v) {
        return v instanceof String || v instanceof Markup;
    }

    /** The characters of a str or Markup. */
    static String text(Object v) {
        return v instanceof Markup m ? m.value() : (String) v;
    }

    static boolean isUndefined(Object v) {
        return v instanceof Undefined || v instanceof Unsafe;
    }

    /** A Python list, as opposed to a tuple or range. */
    static boolean isList(Object v) {
        return v instanceof List && !(v instanceof PyTuple) && !(v instanceof PyRange);
    }

    static JinjaRuntimeError undefinedError(Object v) {
        return v instanceof Unsafe unsafe ? unsafe.fail() : ((Undefined) v).fail();
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case BigInteger b -> "int";
            case Double d -> "float";
            case String s -> "str";
            case Markup m -> "Markup";
            case PyTuple t -> "tuple";
            case PyRange r -> "range";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Unsafe u -> "Undefined";
            case LazyIter g -> g.typeName();
            case DictView d -> d.typeName();
            case Namespace n -> "Namespace";
            case LoopContext l -> "LoopContext";
            case Interpreter.MacroValue m -> "Macro";
            case PySlice s -> "slice";
            default -> "builtin_function_or_method";
        };
    }

    /** jinja2's {@code object_type_repr}, used in undefined messages. */
    static String objectTypeRepr(Object v) {
        return v == null ? "None" : typeName(v) + " object";
    }

    // ---------------------------------------------------------------- truth, str, repr

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case BigInteger b -> b.signum() != 0;
            case Double d -> d != 0;
            case String s -> !s.isEmpty();
            case Markup m -> !m.value().isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case DictView d -> !d.map().isEmpty();
            case Undefined u -> false;
            case Unsafe u -> false;
            default -> true;
        };
    }

    /** Python's {@code str()}. */
    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Markup m -> m.value();
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case BigInteger b -> PyNum.intText(b);
            case Double d -> PyNum.repr(d);
            case Undefined u -> "";
            case Unsafe u -> "";
            default -> repr(v);
        };
    }

    /** Python's {@code repr()}. */
    static String repr(Object v) {
        StringBuilder out = new StringBuilder();
        repr(v, out, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        return out.toString();
    }

    private static void repr(Object v, StringBuilder out, Set<Object> active, int depth) {
        Budget.charge(1 + (v instanceof String s ? s.length() >> 4 : 0));
        if (depth > MAX_NESTING) {
            throw JinjaRuntimeError.limit("a value nests deeper than " + MAX_NESTING + " levels");
        }
        switch (v) {
            case null -> out.append("None");
            case String s -> out.append(PyStr.repr(s));
            case Markup m -> out.append("Markup(").append(PyStr.repr(m.value())).append(')');
            case PyRange r -> out.append(r.repr());
            case PyTuple t -> {
                out.append('(');
                reprItems(t, out, active, depth);
                out.append(t.size() == 1 ? ",)" : ")");
            }
            case List<?> l -> {
                if (!active.add(l)) {
                    out.append("[...]");
                    return;
                }
                out.append('[');
                reprItems(l, out, active, depth);
                out.append(']');
                active.remove(l);
            }
            case Map<?, ?> m -> reprMap(m, out, active, depth);
            case DictView d -> {
                out.append(d.typeName()).append("([");
                boolean first = true;
                for (Object item : d) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    repr(item, out, active, depth + 1);
                }
                out.append("])");
            }
            case Namespace n -> {
                out.append("<Namespace ");
                reprMap(n.attributes, out, active, depth);
                out.append('>');
            }
            case LazyIter g -> out.append(g.repr());
            case PyCallable c -> out.append(c.repr());
            case Undefined u -> out.append("Undefined");
            case Unsafe u -> out.append("Undefined");
            case PySlice s -> {
                out.append("slice(");
                repr(s.start(), out, active, depth + 1);
                out.append(", ");
                repr(s.stop(), out, active, depth + 1);
                out.append(", ");
                repr(s.step(), out, active, depth + 1);
                out.append(')');
            }
            case Boolean b -> out.append(str(b));
            case Number n -> out.append(str(n));
            default -> out.append('<').append(typeName(v)).append(" object>");
        }
    }

    private static void reprItems(List<?> items, StringBuilder out, Set<Object> active, int depth) {
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            repr(items.get(i), out, active, depth + 1);
        }
    }

    private static void reprMap(Map<?, ?> map, StringBuilder out, Set<Object> active, int depth) {
        if (!active.add(map)) {
            out.append("{...}");
            return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!first) {
                out.append(", ");
            }
            first = false;
            repr(entry.getKey(), out, active, depth + 1);
            out.append(": ");
            repr(entry.getValue(), out, active, depth + 1);
        }
        out.append('}');
        active.remove(map);
    }

    // ---------------------------------------------------------------- equality and order

    static boolean eq(Object a, Object b) {
        return eq(a, b, 0);
    }

    private static boolean eq(Object a, Object b, int depth) {
        Budget.charge(1 + (a instanceof String s ? s.length() >> 4 : 0));
        if (depth > MAX_NESTING) {
            throw JinjaRuntimeError.limit("a value nests deeper than " + MAX_NESTING + " levels");
        }
        if (a == b) {
            return !(a instanceof Double d && d.isNaN());
        }
        if (a == null || b == null) {
            return false;
        }
        if (isUndefined(a) || isUndefined(b)) {
            return isUndefined(a) && isUndefined(b);
        }
        if (PyNum.isNumber(a) && PyNum.isNumber(b)) {
            return PyNum.numEquals(a, b);
        }
        if (isStr(a) && isStr(b)) {
            return text(a).equals(text(b));
        }
        if (a instanceof PyTuple || b instanceof PyTuple || a instanceof PyRange || b instanceof PyRange) {
            if (a.getClass() != b.getClass()) {
                return false;
            }
            return listEq((List<?>) a, (List<?>) b, depth);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            return listEq(x, y, depth);
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> entry : x.entrySet()) {
                Object other = mapGet(y, entry.getKey());
                if (other == MISSING || !eq(entry.getValue(), other, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static boolean listEq(List<?> x, List<?> y, int depth) {
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!eq(x.get(i), y.get(i), depth + 1)) {
                return false;
            }
        }
        return true;
    }

    /** {@code a < b} and friends; TypeError for types Python cannot order. */
    static boolean compare(Node.Op op, Object a, Object b) {
        if (isUndefined(a)) {
            throw undefinedError(a);
        }
        if (isUndefined(b)) {
            throw undefinedError(b);
        }
        if (PyNum.isNumber(a) && PyNum.isNumber(b)) {
            if (a instanceof Double x && x.isNaN() || b instanceof Double y && y.isNaN()) {
                return false;
            }
            return holds(op, PyNum.compare(a, b));
        }
        return holds(op, order(op, a, b, 0));
    }

    private static int order(Node.Op op, Object a, Object b, int depth) {
        Budget.charge(1);
        if (depth > MAX_NESTING) {
            throw JinjaRuntimeError.limit("a value nests deeper than " + MAX_NESTING + " levels");
        }
        if (PyNum.isNumber(a) && PyNum.isNumber(b)) {
            return PyNum.compare(a, b);
        }
        if (isStr(a) && isStr(b)) {
            return compareCodePoints(text(a), text(b));
        }
        boolean sameSequence = a instanceof PyTuple && b instanceof PyTuple
                || isList(a) && isList(b);
        if (sameSequence) {
            List<?> x = (List<?>) a;
            List<?> y = (List<?>) b;
            int n = Math.min(x.size(), y.size());
            for (int i = 0; i < n; i++) {
                if (!eq(x.get(i), y.get(i), depth + 1)) {
                    return order(op, x.get(i), y.get(i), depth + 1);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        throw JinjaRuntimeError.type("'" + op.symbol + "' not supported between instances of '" + typeName(a)
                + "' and '" + typeName(b) + "'");
    }

    /** Orders two values for sorting ({@code sorted}, {@code min}, {@code max}). */
    static int order(Object a, Object b) {
        if (isUndefined(a)) {
            throw undefinedError(a);
        }
        if (isUndefined(b)) {
            throw undefinedError(b);
        }
        return order(Node.Op.LT, a, b, 0);
    }

    private static boolean holds(Node.Op op, int c) {
        return switch (op) {
            case LT -> c < 0;
            case LTEQ -> c <= 0;
            case GT -> c > 0;
            case GTEQ -> c >= 0;
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    // ---------------------------------------------------------------- hashing and dict access

    static void checkHashable(Object key) {
        if (isList(key) || key instanceof Map || key instanceof DictView) {
            throw JinjaRuntimeError.type("unhashable type: '" + typeName(key) + "'");
        }
        if (key instanceof PyTuple tuple) {
            tuple.forEach(Py::checkHashable);
        }
    }

    /** The dict key under which Java stores a Python key (Markup and str are the same key). */
    static Object key(Object key) {
        return key instanceof Markup m ? m.value() : key;
    }

    /**
     * The key of {@code map} equal to {@code key} in Python's sense, or MISSING. Python's 1, 1.0 and True
     * are one dict key, which Java's equals does not know.
     */
    static Object findKey(Map<?, ?> map, Object key) {
        Object k = key(key);
        if (map.containsKey(k)) {
            return k;
        }
        if (PyNum.isNumber(k)) {
            for (Object alias : numericAliases(k)) {
                if (map.containsKey(alias)) {
                    return alias;
                }
            }
        }
        return MISSING;
    }

    private static List<Object> numericAliases(Object k) {
        List<Object> aliases = new ArrayList<>(3);
        if (k instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                aliases.add((long) (double) d);
            }
        } else if (!(k instanceof BigInteger)) {
            long l = PyNum.smallInt(k);
            aliases.add(l);
            if (Math.abs(l) < 9_000_000_000_000_000L) {
                aliases.add((double) l);
            }
        }
        if (PyNum.isNumber(k) && (PyNum.numEquals(k, 0L) || PyNum.numEquals(k, 1L))) {
            aliases.add(PyNum.numEquals(k, 1L));
        }
        return aliases;
    }

    static Object mapGet(Map<?, ?> map, Object key) {
        Object k = findKey(map, key);
        return k == MISSING ? MISSING : map.get(k);
    }

    /** Python's {@code d[key] = value}: an equal existing key keeps its place and its own spelling. */
    static void mapPut(Map<Object, Object> map, Object key, Object value) {
        checkHashable(key);
        Object existing = findKey(map, key);
        map.put(existing == MISSING ? key(key) : existing, value);
    }

    // ---------------------------------------------------------------- sequences

    /** Python's {@code iter()}; Undefined iterates as empty. */
    @SuppressWarnings("unchecked")
    static Iterator<Object> iter(Object v) {
        return switch (v) {
            case null -> throw JinjaRuntimeError.type("'NoneType' object is not iterable");
            case String s -> charIterator(s);
            case Markup m -> charIterator(m.value());
            case List<?> l -> listIterator((List<Object>) l);
            case Map<?, ?> m -> new ArrayList<Object>(m.keySet()).iterator();
            case DictView d -> d.iterator();
            case LazyIter g -> g.iterator();
            case Undefined u -> Collections.emptyIterator();
            case Unsafe u -> Collections.emptyIterator();
            default -> throw JinjaRuntimeError.type("'" + typeName(v) + "' object is not iterable");
        };
    }

    /** Like Python, iterating a list sees removals made while it runs. */
    private static Iterator<Object> listIterator(List<Object> list) {
        return new Iterator<>() {
            private int index;

            @Override
            public boolean hasNext() {
                return index < list.size();
            }

            @Override
            public Object next() {
                if (index >= list.size()) {
                    throw new NoSuchElementException();
                }
                return list.get(index++);
            }
        };
    }

    private static Iterator<Object> charIterator(String s) {
        return new Iterator<>() {
            private int index;

            @Override
            public boolean hasNext() {
                return index < s.length();
            }

            @Override
            public Object next() {
                int cp = s.codePointAt(index);
                index += Character.charCount(cp);
                return Character.toString(cp);
            }
        };
    }

    static boolean isIterable(Object v) {
        return isStr(v) || v instanceof List || v instanceof Map || v instanceof DictView || v instanceof LazyIter
                || isUndefined(v) || v instanceof LoopContext;
    }

    /** Python's {@code list(v)}, charging the budget per item. */
    static List<Object> toList(Object v, Budget budget) {
        List<Object> out = new ArrayList<>();
        Iterator<Object> it = iter(v);
        while (it.hasNext()) {
            out.add(it.next());
            budget.step();
            budget.checkSize(out.size());
        }
        return out;
    }

    /** Python's {@code len()}. */
    static long len(Object v) {
        return switch (v) {
            case null -> throw JinjaRuntimeError.type("object of type 'NoneType' has no len()");
            case String s -> PyStr.length(s);
            case Markup m -> PyStr.length(m.value());
            case List<?> l -> l.size();
            case Map<?, ?> m -> m.size();
            case DictView d -> d.map().size();
            case Undefined u -> 0;
            case Unsafe u -> 0;
            case LoopContext l -> l.length();
            default -> throw JinjaRuntimeError.type("object of type '" + typeName(v) + "' has no len()");
        };
    }

    /** Python's {@code item in container}. */
    static boolean contains(Object container, Object item) {
        switch (container) {
            case String s -> {
                Budget.charge(s.length() >> 4);
                return text(requireStrOperand(item)).isEmpty() || s.contains(text(item));
            }
            case Markup m -> {
                Budget.charge(m.value().length() >> 4);
                return m.value().contains(text(requireStrOperand(item)));
            }
            case Map<?, ?> m -> {
                checkHashable(item);
                return mapGet(m, item) != MISSING;
            }
            case DictView d when d.kind() == DictView.Kind.KEYS -> {
                checkHashable(item);
                return mapGet(d.map(), item) != MISSING;
            }
            case null -> throw JinjaRuntimeError.type("argument of type 'NoneType' is not iterable");
            default -> {
                if (!isIterable(container)) {
                    throw JinjaRuntimeError.type("argument of type '" + typeName(container) + "' is not iterable");
                }
                Iterator<Object> it = iter(container);
                while (it.hasNext()) {
                    Object element = it.next();
                    if (element == item || eq(element, item)) {
                        return true;
                    }
                }
                return false;
            }
        }
    }

    private static Object requireStrOperand(Object item) {
        if (!isStr(item)) {
            throw JinjaRuntimeError.type("'in <string>' requires string as left operand, not " + typeName(item));
        }
        return item;
    }

    /** An int usable as an index (bool counts); TypeError otherwise. */
    static long index(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof BigInteger b) {
            return b.signum() < 0 ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
        }
        throw JinjaRuntimeError.type("slice indices must be integers or None or have an __index__ method");
    }

    // ---------------------------------------------------------------- attribute and item lookup

    /** jinja2's {@code getattr}: the Python attribute first, then the item, else undefined. */
    static Object getattr(Object obj, String name) {
        if (isUndefined(obj)) {
            throw undefinedError(obj);
        }
        Object attribute = Methods.attribute(obj, name);
        if (attribute != MISSING) {
            return attribute;
        }
        Object item = subscript(obj, name);
        return item != MISSING ? item : Undefined.missing(obj, name);
    }

    /** jinja2's {@code getitem}: the item first, then (for a str key) the Python attribute, else undefined. */
    static Object getitem(Object obj, Object key) {
        if (isUndefined(obj)) {
            throw undefinedError(obj);
        }
        Object item = subscript(obj, key);
        if (item != MISSING) {
            return item;
        }
        if (isStr(key)) {
            Object attribute = Methods.attribute(obj, text(key));
            if (attribute != MISSING) {
                return attribute;
            }
        }
        return Undefined.missing(obj, key);
    }

    /** Python's {@code obj[key]}, or MISSING where Python raises TypeError or LookupError. */
    private static Object subscript(Object obj, Object key) {
        switch (obj) {
            case null -> {
                return MISSING;
            }
            case Map<?, ?> m -> {
                if (isList(key) || key instanceof Map || key instanceof DictView) {
                    return MISSING;
                }
                return mapGet(m, key);
            }
            case List<?> l -> {
                if (!PyNum.isInt(key)) {
                    return MISSING;
                }
                long i = index(key);
                if (i < 0) {
                    i += l.size();
                }
                return i >= 0 && i < l.size() ? l.get((int) i) : MISSING;
            }
            case String s -> {
                return charAt(s, key);
            }
            case Markup m -> {
                Object c = charAt(m.value(), key);
                return c == MISSING ? MISSING : new Markup((String) c);
            }
            default -> {
                return MISSING;
            }
        }
    }

    private static Object charAt(String s, Object key) {
        if (!PyNum.isInt(key)) {
            return MISSING;
        }
        long i = index(key);
        int len = PyStr.length(s);
        if (i < 0) {
            i += len;
        }
        if (i < 0 || i >= len) {
            return MISSING;
        }
        int at = PyStr.offset(s, (int) i);
        return Character.toString(s.codePointAt(at));
    }

    /** Python's {@code obj(args)}. */
    static Object call(Interpreter interpreter, Object callee, List<Object> args, Map<String, Object> kwargs) {
        if (callee instanceof PyCallable callable) {
            return callable.call(interpreter, args, kwargs);
        }
        if (isUndefined(callee)) {
            throw undefinedError(callee);
        }
        throw JinjaRuntimeError.type("'" + typeName(callee) + "' object is not callable");
    }

    // ---------------------------------------------------------------- operators

    private static void checkDefined(Object a, Object b) {
        if (isUndefined(a)) {
            throw undefinedError(a);
        }
        if (isUndefined(b)) {
            throw undefinedError(b);
        }
    }

    private static JinjaRuntimeError unsupported(String op, Object a, Object b) {
        return JinjaRuntimeError.type("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    /** An operator defined on numbers only. */
    private static Object numeric(String op, Object a, Object b, java.util.function.BinaryOperator<Object> apply) {
        checkDefined(a, b);
        if (PyNum.isNumber(a) && PyNum.isNumber(b)) {
            return apply.apply(a, b);
        }
        throw unsupported(op, a, b);
    }

    static Object add(Object a, Object b, Budget budget) {
        checkDefined(a, b);
        if (PyNum.isNumber(a) && PyNum.isNumber(b)) {
            return PyNum.add(a, b);
        }
        if (isStr(a)) {
            if (!isStr(b)) {
                throw JinjaRuntimeError.type("can only concatenate str (not \"" + typeName(b) + "\") to str");
            }
            budget.checkSize((long) text(a).length() + text(b).length());
            if (a instanceof Markup || b instanceof Markup) {
                String joined = Markup.escaped(a) + Markup.escaped(b);
                return new Markup(budget.string(joined));
            }
            return budget.string(text(a) + text(b));
        }
        if (isList(a) || a instanceof PyTuple) {
            boolean tuple = a instanceof PyTuple;
            if (tuple ? !(b instanceof PyTuple) : !isList(b)) {
                throw JinjaRuntimeError.type("can only concatenate " + typeName(a) + " (not \"" + typeName(b)
                        + "\") to " + typeName(a));
            }
            List<Object> joined = new ArrayList<>((List<?>) a);
            joined.addAll((List<?>) b);
            budget.checkSize(joined.size());
            budget.work(joined.size());
            return tuple ? PyTuple.copyOf(joined) : joined;
        }
        throw unsupported("+", a, b);
    }

    static Object sub(Object a, Object b) {
        return numeric("-", a, b, PyNum::sub);
    }

    static Object mul(Object a, Object b, Budget budget) {
        checkDefined(a, b);
        if (PyNum.isNumber(a) && PyNum.isNumber(b)) {
            return PyNum.mul(a, b);
        }
        if (PyNum.isInt(a) && !PyNum.isInt(b)) {
            return mul(b, a, budget);
        }
        if (PyNum.isInt(b) && (isStr(a) || a instanceof List)) {
            long times = Math.max(0, index(b));
            if (isStr(a)) {
                String s = text(a);
                budget.checkSize(s.length() * Math.min(times, Integer.MAX_VALUE));
                String repeated = budget.string(s.repeat((int) times));
                return a instanceof Markup ? new Markup(repeated) : repeated;
            }
            List<?> list = (List<?>) a;
            budget.checkSize(list.size() * Math.min(times, Integer.MAX_VALUE));
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < times; i++) {
                out.addAll(list);
            }
            budget.work(out.size());
            return a instanceof PyTuple ? PyTuple.copyOf(out) : out;
        }
        throw isStr(a) || a instanceof List
                ? JinjaRuntimeError.type("can't multiply sequence by non-int of type '" + typeName(b) + "'")
                : unsupported("*", a, b);
    }

    static Object div(Object a, Object b) {
        return numeric("/", a, b, PyNum::trueDiv);
    }

    static Object floorDiv(Object a, Object b) {
        return numeric("//", a, b, PyNum::floorDiv);
    }

    static Object mod(Object a, Object b, Budget budget) {
        if (isStr(a)) {
            // str's own % accepts any right operand, Undefined included (it prints as nothing)
            String formatted = budget.string(PyFormat.percent(text(a), b, a instanceof Markup));
            return a instanceof Markup ? new Markup(formatted) : formatted;
        }
        checkDefined(a, b);
        if (PyNum.isNumber(a) && PyNum.isNumber(b)) {
            return PyNum.mod(a, b);
        }
        throw unsupported("%", a, b);
    }

    static Object pow(Object a, Object b) {
        return numeric("** or pow()", a, b, PyNum::pow);
    }

    static Object neg(Object a) {
        if (isUndefined(a)) {
            throw undefinedError(a);
        }
        if (PyNum.isNumber(a)) {
            return PyNum.neg(a);
        }
        throw JinjaRuntimeError.type("bad operand type for unary -: '" + typeName(a) + "'");
    }

    static Object pos(Object a) {
        if (isUndefined(a)) {
            throw undefinedError(a);
        }
        if (PyNum.isNumber(a)) {
            return PyNum.pos(a);
        }
        throw JinjaRuntimeError.type("bad operand type for unary +: '" + typeName(a) + "'");
    }
}
