package dev.cerebrum.chat.jinja;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * jinja2's builtin filters with their Python signatures, plus Hugging Face's {@code tojson}. Filters that
 * return generators in Python ({@code map}, {@code select}, {@code unique}, {@code items}...) return a lazy
 * {@link LazyIter}, so that errors and truthiness behave as in Python.
 */
final class Filters {

    private static final Set<String> KNOWN = Set.of(
            "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
            "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int", "join", "last",
            "length", "list", "lower", "items", "map", "min", "max", "pprint", "random", "reject", "rejectattr",
            "replace", "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string", "striptags",
            "sum", "title", "trim", "truncate", "unique", "upper", "urlencode", "urlize", "wordcount", "wordwrap",
            "xmlattr", "tojson");
    /** Known to jinja2 but not implemented here: they fail when a template actually uses them. */
    private static final Set<String> UNSUPPORTED = Set.of(
            "filesizeformat", "groupby", "pprint", "random", "striptags", "urlencode", "urlize", "wordwrap", "xmlattr");

    private Filters() {
    }

    static boolean isKnown(String name) {
        return KNOWN.contains(name);
    }

    /** Applies filter {@code name} to {@code value}. */
    static Object apply(Interpreter in, String name, Object value, List<Object> args, Map<String, Object> kwargs) {
        if (!KNOWN.contains(name)) {
            throw JinjaRuntimeError.type("No filter named '" + name + "' found.");
        }
        if (UNSUPPORTED.contains(name)) {
            throw JinjaRuntimeError.type("the '" + name + "' filter is not supported by this renderer");
        }
        Budget budget = in.budget();
        return switch (name) {
            case "abs" -> {
                bind(name, args, kwargs, 0);
                if (!PyNum.isNumber(value)) {
                    throw JinjaRuntimeError.type("bad operand type for abs(): '" + Py.typeName(value) + "'");
                }
                yield PyNum.abs(value);
            }
            case "attr" -> {
                String attribute = Args.str(bind(name, args, kwargs, 1, "name")[0], "attribute name");
                if (Py.isUndefined(value)) {
                    throw Py.undefinedError(value);
                }
                Object found = Methods.attribute(value, attribute);
                yield found == Py.MISSING ? Undefined.missing(value, attribute) : found;
            }
            case "batch" -> {
                Object[] a = bind(name, args, kwargs, 1, "linecount", "fill_with");
                yield batch(value, Args.integer(a[0]), Args.or(a[1], null), budget);
            }
            case "capitalize" -> {
                bind(name, args, kwargs, 0);
                yield textOp(value, PyStr::capitalize);
            }
            case "center" -> {
                long width = Args.integer(Args.or(bind(name, args, kwargs, 0, "width")[0], 80L));
                budget.checkSize(width);
                yield textOp(value, s -> PyStr.pad(s, width, " ", 0));
            }
            case "count", "length" -> {
                bind(name, args, kwargs, 0);
                yield Py.len(value);
            }
            case "d", "default" -> {
                Object[] a = bind(name, args, kwargs, 0, "default_value", "boolean");
                boolean useBoolean = a[1] != Py.MISSING && Py.truthy(a[1]);
                yield Py.isUndefined(value) || (useBoolean && !Py.truthy(value)) ? Args.or(a[0], "") : value;
            }
            case "dictsort" -> {
                Object[] a = bind(name, args, kwargs, 0, "case_sensitive", "by", "reverse");
                yield dictsort(value, Py.truthy(Args.or(a[0], false)), Args.or(a[1], "key"), Py.truthy(Args.or(a[2], false)),
                        budget);
            }
            case "e", "escape" -> {
                bind(name, args, kwargs, 0);
                yield Markup.escape(value);
            }
            case "first" -> {
                bind(name, args, kwargs, 0);
                Iterator<Object> it = Py.iter(value);
                yield it.hasNext() ? it.next() : Undefined.hint("No first item, sequence was empty.");
            }
            case "last" -> {
                bind(name, args, kwargs, 0);
                if (value instanceof LazyIter generator) {
                    throw JinjaRuntimeError.type("'" + generator.typeName() + "' object is not reversible");
                }
                Iterator<Object> it = Py.iter(reversed(value, budget));
                yield it.hasNext() ? it.next() : Undefined.hint("No last item, sequence was empty.");
            }
            case "float" -> {
                Object[] a = bind(name, args, kwargs, 0, "default");
                yield toFloat(value, Args.or(a[0], 0.0));
            }
            case "forceescape" -> {
                bind(name, args, kwargs, 0);
                yield Markup.escape(Py.str(value));
            }
            case "format" -> {
                if (!args.isEmpty() && !kwargs.isEmpty()) {
                    throw JinjaRuntimeError.type("can't handle positional and keyword arguments at the same time");
                }
                Object values = kwargs.isEmpty() ? PyTuple.copyOf(args) : new LinkedHashMap<Object, Object>(kwargs);
                yield Py.mod(softStr(value), values, budget);
            }
            case "indent" -> {
                Object[] a = bind(name, args, kwargs, 0, "width", "first", "blank");
                yield indent(value, Args.or(a[0], 4L), Py.truthy(Args.or(a[1], false)), Py.truthy(Args.or(a[2], false)),
                        budget);
            }
            case "int" -> {
                Object[] a = bind(name, args, kwargs, 0, "default", "base");
                yield toInt(value, Args.or(a[0], 0L), Args.or(a[1], 10L));
            }
            case "items" -> {
                bind(name, args, kwargs, 0);
                yield LazyIter.generator("do_items", () -> {
                    if (Py.isUndefined(value)) {
                        return Collections.emptyIterator();
                    }
                    if (!(value instanceof Map<?, ?> map)) {
                        throw JinjaRuntimeError.type("Can only get item pairs from a mapping.");
                    }
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> dict = (Map<Object, Object>) map;
                    return new DictView(DictView.Kind.ITEMS, dict).iterator();
                });
            }
            case "join" -> {
                Object[] a = bind(name, args, kwargs, 0, "d", "attribute");
                yield join(in, value, Py.str(Args.or(a[0], "")), Args.or(a[1], null));
            }
            case "list" -> {
                bind(name, args, kwargs, 0);
                yield Py.toList(value, budget);
            }
            case "lower" -> {
                bind(name, args, kwargs, 0);
                yield textOp(value, PyStr::lower);
            }
            case "upper" -> {
                bind(name, args, kwargs, 0);
                yield textOp(value, PyStr::upper);
            }
            case "map" -> map(in, value, args, kwargs);
            case "min", "max" -> {
                Object[] a = bind(name, args, kwargs, 0, "case_sensitive", "attribute");
                yield minMax(value, Py.truthy(Args.or(a[0], false)), Args.or(a[1], null), name.equals("max"), budget);
            }
            case "select", "reject", "selectattr", "rejectattr" -> selectOrReject(in, value, args, kwargs,
                    name.startsWith("reject"), name.endsWith("attr"));
            case "replace" -> {
                Object[] a = bind(name, args, kwargs, 2, "old", "new", "count");
                long count = a[2] == Py.MISSING || a[2] == null ? -1 : Args.integer(a[2]);
                String s = Py.str(value);
                String old = Py.str(a[0]);
                String replacement = Py.str(a[1]);
                if (replacement.length() > old.length()) {
                    budget.checkSize(s.length() + (replacement.length() - old.length()) * PyStr.count(s, old, null, null));
                }
                yield budget.string(PyStr.replace(s, old, replacement, count));
            }
            case "reverse" -> {
                bind(name, args, kwargs, 0);
                if (Py.isStr(value)) {
                    budget.chars(Py.text(value).length());
                    String reversed = new StringBuilder(Py.text(value)).reverse().toString();
                    yield value instanceof Markup ? new Markup(reversed) : reversed;
                }
                yield reversed(value, budget);
            }
            case "round" -> {
                Object[] a = bind(name, args, kwargs, 0, "precision", "method");
                yield round(value, Args.or(a[0], 0L), Py.str(Args.or(a[1], "common")));
            }
            case "safe" -> {
                bind(name, args, kwargs, 0);
                yield value instanceof Markup ? value : new Markup(Py.str(value));
            }
            case "slice" -> {
                Object[] a = bind(name, args, kwargs, 1, "slices", "fill_with");
                yield slice(value, Args.integer(a[0]), Args.or(a[1], null), budget);
            }
            case "sort" -> {
                Object[] a = bind(name, args, kwargs, 0, "reverse", "case_sensitive", "attribute");
                yield sort(value, Py.truthy(Args.or(a[0], false)), Py.truthy(Args.or(a[1], false)), Args.or(a[2], null), budget);
            }
            case "string" -> {
                bind(name, args, kwargs, 0);
                Object text = softStr(value);
                budget.chars(Py.text(text).length());
                yield text;
            }
            case "sum" -> {
                Object[] a = bind(name, args, kwargs, 0, "attribute", "start");
                Object total = Args.or(a[1], 0L);
                Function<Object, Object> getter = attrGetter(Args.or(a[0], null), null, false);
                Iterator<Object> it = Py.iter(value);
                while (it.hasNext()) {
                    budget.step();
                    Object item = getter.apply(it.next());
                    if (Py.isStr(total) || Py.isStr(item) && PyNum.isNumber(total)) {
                        throw JinjaRuntimeError.type(Py.isStr(total) ? "sum() can't sum strings [use ''.join(seq) instead]"
                                : "unsupported operand type(s) for +: '" + Py.typeName(total) + "' and 'str'");
                    }
                    total = Py.add(total, item, budget);
                }
                yield total;
            }
            case "title" -> {
                bind(name, args, kwargs, 0);
                yield textOp(Py.str(value), Filters::title);
            }
            case "trim" -> {
                Object[] a = bind(name, args, kwargs, 0, "chars");
                String chars = Args.optionalStr(a[0], "strip arg");
                yield textOp(value, s -> PyStr.strip(s, chars));
            }
            case "truncate" -> {
                Object[] a = bind(name, args, kwargs, 0, "length", "killwords", "end", "leeway");
                yield truncate(value, Args.integer(Args.or(a[0], 255L)), Py.truthy(Args.or(a[1], false)),
                        Py.str(Args.or(a[2], "...")), Args.integer(Args.or(a[3], null) == null ? 5L : a[3]));
            }
            case "unique" -> {
                Object[] a = bind(name, args, kwargs, 0, "case_sensitive", "attribute");
                yield unique(value, Py.truthy(Args.or(a[0], false)), Args.or(a[1], null), budget);
            }
            case "wordcount" -> {
                bind(name, args, kwargs, 0);
                String text = Py.str(value);
                budget.chars(text.length());
                yield wordcount(text);
            }
            case "tojson" -> {
                Object[] a = bind(name, args, kwargs, 0, "ensure_ascii", "indent", "separators", "sort_keys");
                yield Json.dumps(value, Py.truthy(Args.or(a[0], false)), Args.or(a[1], null), Args.or(a[2], null),
                        Py.truthy(Args.or(a[3], false)), budget);
            }
            default -> throw new IllegalStateException(name);
        };
    }

    private static Object[] bind(String name, List<Object> args, Map<String, Object> kwargs, int required, String... params) {
        return Args.bind("do_" + name, args, kwargs, required, true, params);
    }

    /** jinja2's {@code soft_str}: Markup stays Markup, anything else becomes str. */
    private static Object softStr(Object value) {
        return value instanceof Markup ? value : Py.str(value);
    }

    /** A str operation on {@code soft_str(value)}: the result is Markup when the value was. */
    private static Object textOp(Object value, UnaryOperator<String> op) {
        String text = value instanceof Markup markup ? markup.value() : Py.str(value);
        Budget.charge(text.length() >> 4);
        String result = op.apply(text);
        return value instanceof Markup ? new Markup(result) : result;
    }

    // ---------------------------------------------------------------- attribute getters

    /** jinja2's {@code make_attrgetter}: dotted paths, integer parts looked up as integers. */
    private static Function<Object, Object> attrGetter(Object attribute, Object fallback, boolean ignoreCase) {
        List<Object> parts = attributeParts(attribute);
        return item -> {
            for (Object part : parts) {
                item = Py.getitem(item, part);
                if (fallback != null && Py.isUndefined(item)) {
                    item = fallback;
                }
            }
            return ignoreCase ? lowerIfStr(item) : item;
        };
    }

    private static List<Object> attributeParts(Object attribute) {
        List<Object> parts = new ArrayList<>();
        if (attribute == null) {
            return parts;
        }
        if (!Py.isStr(attribute)) {
            parts.add(attribute);
            return parts;
        }
        for (String part : Py.text(attribute).split("\\.", -1)) {
            parts.add(!part.isEmpty() && part.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(part) : part);
        }
        return parts;
    }

    private static Object lowerIfStr(Object value) {
        return Py.isStr(value) ? PyStr.lower(Py.text(value)) : value;
    }

    /** jinja2's {@code make_multi_attrgetter}: the sort key, a list of one value per comma-separated attribute. */
    private static Function<Object, Object> multiAttrGetter(Object attribute, boolean ignoreCase) {
        List<List<Object>> paths = new ArrayList<>();
        if (Py.isStr(attribute)) {
            for (String one : Py.text(attribute).split(",", -1)) {
                paths.add(attributeParts(one));
            }
        } else {
            paths.add(attributeParts(attribute));
        }
        return item -> {
            List<Object> key = new ArrayList<>(paths.size());
            for (List<Object> path : paths) {
                Object value = item;
                for (Object part : path) {
                    value = Py.getitem(value, part);
                }
                key.add(ignoreCase ? lowerIfStr(value) : value);
            }
            return key;
        };
    }

    // ---------------------------------------------------------------- sequences

    private static LazyIter batch(Object value, long size, Object fill, Budget budget) {
        return LazyIter.generator("do_batch", () -> {
            Iterator<Object> source = Py.iter(value);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return source.hasNext();
                }

                @Override
                public Object next() {
                    if (!source.hasNext()) {
                        throw new NoSuchElementException();
                    }
                    List<Object> chunk = new ArrayList<>();
                    while (source.hasNext() && chunk.size() < Math.max(size, 1)) {
                        chunk.add(source.next());
                    }
                    if (!source.hasNext() && fill != null) {
                        budget.checkSize(size);
                        while (chunk.size() < size) {
                            chunk.add(fill);
                        }
                    }
                    return chunk;
                }
            };
        });
    }

    private static LazyIter slice(Object value, long slices, Object fill, Budget budget) {
        return LazyIter.generator("sync_do_slice", () -> {
            List<Object> seq = Py.toList(value, budget);
            if (slices <= 0) {
                throw JinjaRuntimeError.type("integer division or modulo by zero");
            }
            int length = seq.size();
            int perSlice = (int) (length / slices);
            int withExtra = (int) (length % slices);
            List<Object> out = new ArrayList<>();
            int offset = 0;
            for (int number = 0; number < slices && number <= length; number++) {
                int start = offset + number * perSlice;
                if (number < withExtra) {
                    offset++;
                }
                int end = offset + (number + 1) * perSlice;
                List<Object> part = new ArrayList<>(seq.subList(Math.min(start, length), Math.min(end, length)));
                if (fill != null && number >= withExtra) {
                    part.add(fill);
                }
                out.add(part);
            }
            return out.iterator();
        });
    }

    /** Python's {@code reversed()}: an iterator for sequences, else a reversed list of the items. */
    private static Object reversed(Object value, Budget budget) {
        if (value instanceof List<?> || value instanceof Map<?, ?> || Py.isUndefined(value) || value instanceof DictView) {
            List<Object> items = Py.toList(value, budget);
            Collections.reverse(items);
            String type = value instanceof Map ? "dict_reversekeyiterator" : "list_reverseiterator";
            return LazyIter.iterator(type, items::iterator);
        }
        if (value instanceof LazyIter) {
            List<Object> items = Py.toList(value, budget);
            Collections.reverse(items);
            return items;
        }
        if (Py.isStr(value)) {
            List<Object> items = Py.toList(value, budget);
            Collections.reverse(items);
            return LazyIter.iterator("reversed", items::iterator);
        }
        throw JinjaRuntimeError.type("argument must be iterable");
    }

    private static List<Object> dictsort(Object value, boolean caseSensitive, Object by, boolean reverse, Budget budget) {
        int position;
        if (Py.eq(by, "key")) {
            position = 0;
        } else if (Py.eq(by, "value")) {
            position = 1;
        } else {
            throw JinjaRuntimeError.type("You can only sort by either \"key\" or \"value\"");
        }
        if (Py.isUndefined(value)) {
            throw Py.undefinedError(value);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw JinjaRuntimeError.type("'" + Py.typeName(value) + "' object has no attribute 'items'");
        }
        List<Object> items = new ArrayList<>();
        map.forEach((k, v) -> items.add(PyTuple.of(k, v)));
        budget.work(items.size());
        Comparator<Object> byKey = Comparator.comparing(item -> {
            Object key = ((PyTuple) item).get(position);
            return caseSensitive ? key : lowerIfStr(key);
        }, Py::order);
        items.sort(reverse ? byKey.reversed() : byKey);
        return items;
    }

    private static List<Object> sort(Object value, boolean reverse, boolean caseSensitive, Object attribute, Budget budget) {
        List<Object> items = Py.toList(value, budget);
        Function<Object, Object> key = multiAttrGetter(attribute, !caseSensitive);
        List<Object[]> keyed = new ArrayList<>(items.size());
        for (Object item : items) {
            keyed.add(new Object[] {key.apply(item), item});
        }
        budget.work(items.size() * 4L);
        Comparator<Object[]> order = (a, b) -> Py.order(a[0], b[0]);
        keyed.sort(reverse ? order.reversed() : order);
        List<Object> out = new ArrayList<>(items.size());
        keyed.forEach(pair -> out.add(pair[1]));
        return out;
    }

    private static LazyIter unique(Object value, boolean caseSensitive, Object attribute, Budget budget) {
        Function<Object, Object> getter = attrGetter(attribute, null, !caseSensitive);
        return LazyIter.generator("do_unique", () -> {
            List<Object> out = new ArrayList<>();
            List<Object> seen = new ArrayList<>();
            Iterator<Object> it = Py.iter(value);
            while (it.hasNext()) {
                Object item = it.next();
                Object key = getter.apply(item);
                Py.checkHashable(key);
                budget.work(seen.size() + 1L);
                if (seen.stream().noneMatch(s -> Py.eq(s, key))) {
                    seen.add(key);
                    out.add(item);
                }
            }
            return out.iterator();
        });
    }

    private static Object minMax(Object value, boolean caseSensitive, Object attribute, boolean max, Budget budget) {
        Iterator<Object> it = Py.iter(value);
        if (!it.hasNext()) {
            return Undefined.hint("No aggregated item, sequence was empty.");
        }
        Function<Object, Object> key = attrGetter(attribute, null, !caseSensitive);
        Object best = it.next();
        Object bestKey = key.apply(best);
        while (it.hasNext()) {
            budget.step();
            Object item = it.next();
            Object itemKey = key.apply(item);
            int c = Py.order(itemKey, bestKey);
            if (max ? c > 0 : c < 0) {
                best = item;
                bestKey = itemKey;
            }
        }
        return best;
    }

    private static String join(Interpreter in, Object value, String separator, Object attribute) {
        Function<Object, Object> getter = attrGetter(attribute, null, false);
        StringBuilder out = new StringBuilder();
        Iterator<Object> it = Py.iter(value);
        boolean first = true;
        while (it.hasNext()) {
            in.budget().step();
            if (!first) {
                out.append(separator);
            }
            first = false;
            out.append(Py.str(getter.apply(it.next())));
            in.budget().checkSize(out.length());
        }
        return in.budget().string(out.toString());
    }

    private static LazyIter map(Interpreter in, Object value, List<Object> args, Map<String, Object> kwargs) {
        return LazyIter.generator("sync_do_map", () -> {
            if (!Py.truthy(value)) {
                return Collections.emptyIterator();
            }
            Function<Object, Object> func;
            if (args.isEmpty() && kwargs.containsKey("attribute")) {
                Map<String, Object> rest = new LinkedHashMap<>(kwargs);
                Object attribute = rest.remove("attribute");
                Object fallback = rest.remove("default");
                if (!rest.isEmpty()) {
                    throw JinjaRuntimeError.type("Unexpected keyword argument '" + rest.keySet().iterator().next() + "'");
                }
                func = attrGetter(attribute, fallback, false);
            } else {
                if (args.isEmpty()) {
                    throw JinjaRuntimeError.type("map requires a filter argument");
                }
                String filter = Py.str(args.get(0));
                List<Object> rest = args.subList(1, args.size());
                func = item -> apply(in, filter, item, rest, kwargs);
            }
            Iterator<Object> source = Py.iter(value);
            return mapped(source, func, in.budget());
        });
    }

    private static Iterator<Object> mapped(Iterator<Object> source, Function<Object, Object> func, Budget budget) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public Object next() {
                budget.step();
                return func.apply(source.next());
            }
        };
    }

    private static LazyIter selectOrReject(Interpreter in, Object value, List<Object> args, Map<String, Object> kwargs,
                                           boolean reject, boolean lookupAttribute) {
        return LazyIter.generator("select_or_reject", () -> {
            if (!Py.truthy(value)) {
                return Collections.emptyIterator();
            }
            Function<Object, Object> transform = item -> item;
            int offset = 0;
            if (lookupAttribute) {
                if (args.isEmpty()) {
                    throw JinjaRuntimeError.type("Missing parameter for attribute name");
                }
                transform = attrGetter(args.get(0), null, false);
                offset = 1;
            }
            Function<Object, Object> pick = transform;
            java.util.function.Predicate<Object> test;
            if (args.size() > offset) {
                String testName = Py.str(args.get(offset));
                List<Object> rest = args.subList(offset + 1, args.size());
                test = item -> Tests.apply(testName, pick.apply(item), rest, kwargs, in.budget());
            } else {
                test = item -> Py.truthy(pick.apply(item));
            }
            Iterator<Object> source = Py.iter(value);
            return new Iterator<>() {
                private Object next = Py.MISSING;

                @Override
                public boolean hasNext() {
                    while (next == Py.MISSING && source.hasNext()) {
                        in.budget().step();
                        Object item = source.next();
                        if (test.test(item) != reject) {
                            next = item;
                        }
                    }
                    return next != Py.MISSING;
                }

                @Override
                public Object next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    Object item = next;
                    next = Py.MISSING;
                    return item;
                }
            };
        });
    }

    // ---------------------------------------------------------------- numbers

    private static Object toInt(Object value, Object fallback, Object base) {
        if (Py.isUndefined(value)) {
            throw Py.undefinedError(value);
        }
        if (Py.isStr(value)) {
            Object parsed = PyNum.parseInt(Py.text(value), (int) Args.integer(base));
            if (parsed != null) {
                return parsed;
            }
            Double asFloat = PyNum.parseFloat(Py.text(value));
            return asFloat == null || asFloat.isNaN() ? fallback : truncate(asFloat);
        }
        if (PyNum.isInt(value)) {
            return PyNum.pos(value);
        }
        if (value instanceof Double d) {
            return d.isNaN() ? fallback : truncate(d);
        }
        return fallback;
    }

    private static Object truncate(double d) {
        if (Double.isInfinite(d)) {
            throw JinjaRuntimeError.type("cannot convert float infinity to integer");
        }
        return PyNum.normalize(new BigDecimal(d).toBigInteger());
    }

    private static Object toFloat(Object value, Object fallback) {
        if (Py.isUndefined(value)) {
            throw Py.undefinedError(value);
        }
        if (Py.isStr(value)) {
            Double parsed = PyNum.parseFloat(Py.text(value));
            return parsed == null ? fallback : parsed;
        }
        if (PyNum.isNumber(value)) {
            return PyNum.toDouble(value);
        }
        return fallback;
    }

    private static Object round(Object value, Object precision, String method) {
        if (!method.equals("common") && !method.equals("ceil") && !method.equals("floor")) {
            throw JinjaRuntimeError.type("method must be common, ceil or floor");
        }
        if (!PyNum.isNumber(value)) {
            throw JinjaRuntimeError.type("type " + Py.typeName(value) + " doesn't define __round__ method");
        }
        long digits = Args.integer(precision);
        if (method.equals("common")) {
            return PyNum.round(value, digits);
        }
        double d = PyNum.toDouble(value);
        BigDecimal scaled = new BigDecimal(d).setScale((int) Math.max(-400, Math.min(400, digits)),
                method.equals("ceil") ? RoundingMode.CEILING : RoundingMode.FLOOR);
        return scaled.doubleValue();
    }

    // ---------------------------------------------------------------- text

    private static Object indent(Object value, Object width, boolean first, boolean blank, Budget budget) {
        String indention = Args.indentation(width, budget);
        if (Py.isUndefined(value)) {
            throw Py.undefinedError(value);
        }
        if (!Py.isStr(value)) {
            throw JinjaRuntimeError.type("unsupported operand type(s) for +=: '" + Py.typeName(value) + "' and 'str'");
        }
        String s = Py.text(value) + "\n";
        List<Object> lines = PyStr.splitlines(s, false);
        budget.checkSize(s.length() + (long) lines.size() * indention.length());
        StringBuilder out = new StringBuilder();
        if (blank) {
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) {
                    out.append('\n').append(indention);
                }
                out.append((String) lines.get(i));
            }
        } else {
            out.append((String) lines.get(0));
            for (int i = 1; i < lines.size(); i++) {
                String line = (String) lines.get(i);
                out.append('\n');
                if (!line.isEmpty()) {
                    out.append(indention);
                }
                out.append(line);
            }
        }
        String result = (first ? indention : "") + out;
        return value instanceof Markup ? new Markup(budget.string(result)) : budget.string(result);
    }

    /** jinja2's {@code title} filter: words start after {@code -}, whitespace, or an opening bracket. */
    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int start = i;
            boolean separator = isTitleSeparator(s.charAt(i));
            while (i < s.length() && isTitleSeparator(s.charAt(i)) == separator) {
                i++;
            }
            String part = s.substring(start, i);
            if (separator) {
                out.append(part);
            } else {
                int firstLength = Character.charCount(part.codePointAt(0));
                out.append(PyStr.upper(part.substring(0, firstLength))).append(PyStr.lower(part.substring(firstLength)));
            }
        }
        return out.toString();
    }

    private static boolean isTitleSeparator(char c) {
        return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || PyStr.isSpace(c);
    }

    /** jinja2's {@code truncate}: the value is used as it is, so anything with a length short enough passes. */
    private static Object truncate(Object value, long length, boolean killwords, String end, long leeway) {
        if (length < PyStr.length(end)) {
            throw JinjaRuntimeError.type("expected length >= " + PyStr.length(end) + ", got " + length);
        }
        if (leeway < 0) {
            throw JinjaRuntimeError.type("expected leeway >= 0, got " + leeway);
        }
        if (Py.len(value) <= length + leeway) {
            return value;
        }
        if (!Py.isStr(value)) {
            throw JinjaRuntimeError.type("'" + Py.typeName(value) + "' object has no attribute 'rsplit'");
        }
        String s = Py.text(value);
        String head = s.substring(0, PyStr.offset(s, (int) (length - PyStr.length(end))));
        if (killwords) {
            return head + end;
        }
        int space = head.lastIndexOf(' ');
        return (space >= 0 ? head.substring(0, space) : head) + end;
    }

    private static long wordcount(String s) {
        long count = 0;
        boolean inWord = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            boolean word = c == '_' || Character.isLetter(c) || Character.isDigit(c)
                    || Character.getType(c) == Character.LETTER_NUMBER || Character.getType(c) == Character.OTHER_NUMBER;
            if (word && !inWord) {
                count++;
            }
            inWord = word;
            i += Character.charCount(c);
        }
        return count;
    }
}
