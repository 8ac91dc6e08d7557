package dev.cerebrum.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python attributes a template can reach: the methods of str, dict, list and tuple, namespace
 * attributes, {@code loop.*} and a macro's metadata. The sandbox rules are jinja2's: names starting with
 * an underscore are refused, and so are the methods that change a dict ({@code clear pop popitem
 * setdefault update}) or a list ({@code append extend insert remove reverse sort}).
 */
final class Methods {

    private static final Set<String> STR_METHODS = Set.of(
            "capitalize", "casefold", "center", "count", "endswith", "expandtabs", "find", "format", "format_map",
            "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower",
            "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip",
            "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition",
            "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", "zfill");
    /** markupsafe wraps these so that plain string arguments are escaped and the result is Markup. */
    private static final Set<String> MARKUP_ESCAPING = Set.of(
            "capitalize", "title", "lower", "upper", "replace", "ljust", "rjust", "lstrip", "rstrip", "center",
            "strip", "expandtabs", "swapcase", "zfill", "partition", "rpartition", "join");
    private static final Set<String> MARKUP_WRAPPING = Set.of("split", "rsplit", "splitlines");
    private static final Set<String> DICT_METHODS = Set.of("get", "items", "keys", "values", "copy");
    private static final Set<String> DICT_UNSAFE = Set.of("clear", "pop", "popitem", "setdefault", "update");
    private static final Set<String> LIST_METHODS = Set.of("count", "index", "copy", "pop", "clear");
    private static final Set<String> LIST_UNSAFE = Set.of("append", "extend", "insert", "remove", "reverse", "sort");

    private Methods() {
    }

    /** A builtin function or bound method. */
    record Builtin(String name, Impl impl) implements PyCallable {

        @Override
        public Object call(Interpreter interpreter, List<Object> args, Map<String, Object> kwargs) {
            return impl.call(interpreter, args, kwargs);
        }

        @Override
        public String repr() {
            return "<built-in method " + name + ">";
        }
    }

    /** The body of a builtin. */
    @FunctionalInterface
    interface Impl {
        Object call(Interpreter interpreter, List<Object> args, Map<String, Object> kwargs);
    }

    /** Python's {@code getattr(obj, name)} under the sandbox, or {@link Py#MISSING} if there is no such attribute. */
    static Object attribute(Object obj, String name) {
        if (name.startsWith("__") && name.endsWith("__") && name.length() > 4) {
            return new Unsafe(name, obj);
        }
        if (name.startsWith("_")) {
            return Py.MISSING;
        }
        switch (obj) {
            case null -> {
                return Py.MISSING;
            }
            case String s -> {
                return STR_METHODS.contains(name) ? strMethod(obj, name) : Py.MISSING;
            }
            case Markup m -> {
                return STR_METHODS.contains(name) ? strMethod(obj, name) : Py.MISSING;
            }
            case Map<?, ?> map -> {
                if (DICT_UNSAFE.contains(name)) {
                    return new Unsafe(name, obj);
                }
                return DICT_METHODS.contains(name) ? dictMethod(map, name) : Py.MISSING;
            }
            case PyTuple t -> {
                return name.equals("count") || name.equals("index") ? listMethod(t, name) : Py.MISSING;
            }
            case PyRange r -> {
                return switch (name) {
                    case "start" -> r.start;
                    case "stop" -> r.stop;
                    case "step" -> r.step;
                    case "count", "index" -> listMethod(r, name);
                    default -> Py.MISSING;
                };
            }
            case List<?> l -> {
                if (LIST_UNSAFE.contains(name)) {
                    return new Unsafe(name, obj);
                }
                return LIST_METHODS.contains(name) ? listMethod(l, name) : Py.MISSING;
            }
            case Namespace n -> {
                return n.attributes.containsKey(name) ? n.attributes.get(name) : Py.MISSING;
            }
            case LoopContext loop -> {
                return loop.attribute(name);
            }
            case Interpreter.MacroValue macro -> {
                return macro.attribute(name);
            }
            case Long l -> {
                return numberAttribute(obj, name);
            }
            case Boolean b -> {
                return numberAttribute(obj, name);
            }
            case Double d -> {
                return name.equals("is_integer")
                        ? new Builtin("is_integer", (in, args, kwargs) -> !d.isInfinite() && d == Math.rint(d))
                        : numberAttribute(obj, name);
            }
            default -> {
                return Py.MISSING;
            }
        }
    }

    private static Object numberAttribute(Object number, String name) {
        return switch (name) {
            case "real" -> PyNum.pos(number);
            case "imag" -> number instanceof Double ? (Object) 0.0 : (Object) 0L;
            default -> Py.MISSING;
        };
    }

    // ---------------------------------------------------------------- str

    private static Object strMethod(Object receiver, String name) {
        boolean markup = receiver instanceof Markup;
        String s = Py.text(receiver);
        return new Builtin(name, (in, args, kwargs) -> {
            List<Object> actual = args;
            if (markup && name.equals("join") && args.size() == 1) {
                List<Object> escaped = new ArrayList<>();
                Py.iter(args.get(0)).forEachRemaining(item -> escaped.add(Markup.escape(item)));
                actual = List.of(escaped);
            } else if (markup && MARKUP_ESCAPING.contains(name)) {
                actual = new ArrayList<>(args.size());
                for (Object arg : args) {
                    actual.add(Py.isStr(arg) ? Markup.escape(arg) : arg);
                }
            }
            if (name.equals("format")) {
                String formatted = in.budget().string(PyFormat.format(in, s, args, kwargs, markup));
                return markup ? new Markup(formatted) : formatted;
            }
            Object result = callStr(in, s, name, actual, kwargs);
            if (markup && (MARKUP_ESCAPING.contains(name) || MARKUP_WRAPPING.contains(name))) {
                return toMarkup(result);
            }
            return result;
        });
    }

    private static Object toMarkup(Object result) {
        if (result instanceof String s) {
            return new Markup(s);
        }
        if (result instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(item instanceof String s ? new Markup(s) : item));
            return result instanceof PyTuple ? PyTuple.copyOf(out) : out;
        }
        return result;
    }

    private static Object callStr(Interpreter in, String s, String name, List<Object> args, Map<String, Object> kwargs) {
        Budget budget = in.budget();
        budget.chars(s.length());
        switch (name) {
            case "upper" -> {
                bind(name, args, kwargs, 0);
                return PyStr.upper(s);
            }
            case "lower" -> {
                bind(name, args, kwargs, 0);
                return PyStr.lower(s);
            }
            case "casefold" -> {
                bind(name, args, kwargs, 0);
                return PyStr.lower(s).replace("ß", "ss");
            }
            case "title" -> {
                bind(name, args, kwargs, 0);
                return PyStr.title(s);
            }
            case "capitalize" -> {
                bind(name, args, kwargs, 0);
                return PyStr.capitalize(s);
            }
            case "swapcase" -> {
                bind(name, args, kwargs, 0);
                return PyStr.swapcase(s);
            }
            case "strip", "lstrip", "rstrip" -> {
                Object[] a = bind(name, args, kwargs, 0, "chars");
                Object chars = a[0];
                if (chars != Py.MISSING && chars != null && !Py.isStr(chars)) {
                    throw JinjaRuntimeError.type(name + " arg must be None or str");
                }
                String set = chars == Py.MISSING || chars == null ? null : Py.text(chars);
                return switch (name) {
                    case "strip" -> PyStr.strip(s, set);
                    case "lstrip" -> PyStr.lstrip(s, set);
                    default -> PyStr.rstrip(s, set);
                };
            }
            case "split", "rsplit" -> {
                Object[] a = Args.bind(name, args, kwargs, 0, true, "sep", "maxsplit");
                String sep = Args.optionalStr(a[0], "must be str or None, not");
                long maxsplit = a[1] == Py.MISSING ? -1 : Args.integer(a[1]);
                List<Object> parts = name.equals("split") ? PyStr.split(s, sep, maxsplit) : PyStr.rsplit(s, sep, maxsplit);
                budget.work(parts.size());
                return parts;
            }
            case "splitlines" -> {
                Object[] a = Args.bind(name, args, kwargs, 0, true, "keepends");
                return PyStr.splitlines(s, a[0] != Py.MISSING && Py.truthy(a[0]));
            }
            case "startswith", "endswith" -> {
                Object[] a = bind(name, args, kwargs, 1, "prefix", "start", "end");
                return PyStr.startsOrEnds(s, a[0], none(a[1]), none(a[2]), name.equals("endswith"), name);
            }
            case "find", "rfind", "index", "rindex" -> {
                Object[] a = bind(name, args, kwargs, 1, "sub", "start", "end");
                long at = PyStr.find(s, Args.str(a[0], name + "() argument 1"), none(a[1]), none(a[2]),
                        name.startsWith("r"));
                if (at < 0 && name.endsWith("index")) {
                    throw JinjaRuntimeError.type("substring not found");
                }
                return at;
            }
            case "count" -> {
                Object[] a = bind(name, args, kwargs, 1, "sub", "start", "end");
                return PyStr.count(s, Args.str(a[0], "count() argument 1"), none(a[1]), none(a[2]));
            }
            case "replace" -> {
                Object[] a = bind(name, args, kwargs, 2, "old", "new", "count");
                long count = a[2] == Py.MISSING ? -1 : Args.integer(a[2]);
                String old = Args.str(a[0], "replace() argument 1");
                String replacement = Args.str(a[1], "replace() argument 2");
                long grow = (long) Math.max(0, replacement.length() - old.length()) * Math.max(1, s.length());
                if (grow > 0) {
                    budget.checkSize(Math.min((long) s.length() + grow, (long) s.length() + (long) replacement.length()
                            * PyStr.count(s, old, null, null)));
                }
                return budget.string(PyStr.replace(s, old, replacement, count));
            }
            case "join" -> {
                Object[] a = bind(name, args, kwargs, 1, "iterable");
                return join(s, a[0], budget);
            }
            case "center", "ljust", "rjust" -> {
                Object[] a = bind(name, args, kwargs, 1, "width", "fillchar");
                long width = Args.integer(a[0]);
                String fill = a[1] == Py.MISSING ? " " : Args.str(a[1], name + "() argument 2");
                if (PyStr.length(fill) != 1) {
                    throw JinjaRuntimeError.type("The fill character must be exactly one character long");
                }
                budget.checkSize(width);
                return PyStr.pad(s, width, fill, name.equals("center") ? 0 : name.equals("ljust") ? -1 : 1);
            }
            case "zfill" -> {
                Object[] a = bind(name, args, kwargs, 1, "width");
                long width = Args.integer(a[0]);
                budget.checkSize(width);
                return PyStr.zfill(s, width);
            }
            case "expandtabs" -> {
                Object[] a = Args.bind(name, args, kwargs, 0, true, "tabsize");
                long size = a[0] == Py.MISSING ? 8 : Args.integer(a[0]);
                budget.checkSize(s.length() * Math.max(1, Math.min(size, Integer.MAX_VALUE)));
                return PyStr.expandtabs(s, size);
            }
            case "partition", "rpartition" -> {
                Object[] a = bind(name, args, kwargs, 1, "sep");
                return PyTuple.copyOf(PyStr.partition(s, Args.str(a[0], "must be str, not"), name.equals("rpartition")));
            }
            case "removeprefix" -> {
                String prefix = Args.str(bind(name, args, kwargs, 1, "prefix")[0], "removeprefix() argument");
                return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
            }
            case "removesuffix" -> {
                String suffix = Args.str(bind(name, args, kwargs, 1, "suffix")[0], "removesuffix() argument");
                return !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
            }
            case "format_map" -> {
                Object mapping = bind(name, args, kwargs, 1, "mapping")[0];
                if (!(mapping instanceof Map<?, ?> map)) {
                    throw JinjaRuntimeError.type("format_map() argument must be a mapping");
                }
                Map<String, Object> named = new LinkedHashMap<>();
                map.forEach((k, v) -> named.put(Py.str(k), v));
                return budget.string(PyFormat.format(in, s, List.of(), named, false));
            }
            default -> {
                bind(name, args, kwargs, 0);
                return predicate(s, name);
            }
        }
    }

    private static boolean predicate(String s, String name) {
        return switch (name) {
            case "isalnum" -> PyStr.all(s, c -> Character.isLetter(c) || PyStr.isNumericChar(c));
            case "isalpha" -> PyStr.all(s, Character::isLetter);
            case "isascii" -> s.chars().allMatch(c -> c < 128);
            case "isdecimal" -> PyStr.all(s, c -> Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER);
            case "isdigit" -> PyStr.all(s, c -> Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER
                    || Character.getType(c) == Character.OTHER_NUMBER && Character.digit(c, 10) >= 0
                    || c >= 0x2070 && c <= 0x2079 || c == 0xb2 || c == 0xb3 || c == 0xb9);
            case "isnumeric" -> PyStr.all(s, PyStr::isNumericChar);
            case "isspace" -> PyStr.all(s, PyStr::isSpace);
            case "islower" -> PyStr.isLowerStr(s);
            case "isupper" -> PyStr.isUpperStr(s);
            case "istitle" -> PyStr.isTitleStr(s);
            case "isidentifier" -> PyStr.isIdentifier(s);
            case "isprintable" -> s.codePoints().allMatch(PyStr::isPrintable);
            default -> throw new IllegalStateException(name);
        };
    }

    private static Object none(Object value) {
        return value == Py.MISSING ? null : value;
    }

    /** Python's positional-only binding, used by most str methods. */
    private static Object[] bind(String name, List<Object> args, Map<String, Object> kwargs, int required,
                                 String... params) {
        return Args.bind(name, args, kwargs, required, false, params);
    }

    static String join(String separator, Object iterable, Budget budget) {
        StringBuilder out = new StringBuilder();
        java.util.Iterator<Object> it = Py.iter(iterable);
        int index = 0;
        while (it.hasNext()) {
            Object item = it.next();
            if (!Py.isStr(item)) {
                throw JinjaRuntimeError.type("sequence item " + index + ": expected str instance, "
                        + Py.typeName(item) + " found");
            }
            if (index++ > 0) {
                out.append(separator);
            }
            out.append(Py.text(item));
            budget.checkSize(out.length());
            budget.step();
        }
        return budget.string(out.toString());
    }

    // ---------------------------------------------------------------- dict, list

    private static Object dictMethod(Map<?, ?> map, String name) {
        @SuppressWarnings("unchecked")
        Map<Object, Object> dict = (Map<Object, Object>) map;
        return new Builtin(name, (in, args, kwargs) -> switch (name) {
            case "get" -> {
                Object[] a = bind(name, args, kwargs, 1, "key", "default");
                Py.checkHashable(a[0]);
                Object value = Py.mapGet(dict, a[0]);
                yield value != Py.MISSING ? value : Args.or(a[1], null);
            }
            case "items" -> {
                bind(name, args, kwargs, 0);
                yield new DictView(DictView.Kind.ITEMS, dict);
            }
            case "keys" -> {
                bind(name, args, kwargs, 0);
                yield new DictView(DictView.Kind.KEYS, dict);
            }
            case "values" -> {
                bind(name, args, kwargs, 0);
                yield new DictView(DictView.Kind.VALUES, dict);
            }
            default -> {
                bind(name, args, kwargs, 0);
                in.budget().work(dict.size());
                yield new LinkedHashMap<>(dict);
            }
        });
    }

    private static Object listMethod(List<?> list, String name) {
        @SuppressWarnings("unchecked")
        List<Object> items = (List<Object>) list;
        return new Builtin(name, (in, args, kwargs) -> switch (name) {
            case "count" -> {
                Object value = bind(name, args, kwargs, 1, "value")[0];
                in.budget().work(items.size());
                yield items.stream().filter(item -> Py.eq(item, value)).count();
            }
            case "index" -> {
                Object[] a = bind(name, args, kwargs, 1, "value", "start", "stop");
                int n = items.size();
                long start = a[1] == Py.MISSING ? 0 : Py.index(a[1]);
                long stop = a[2] == Py.MISSING ? n : Py.index(a[2]);
                start = start < 0 ? Math.max(0, start + n) : Math.min(start, n);
                stop = stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
                in.budget().work(n);
                for (long i = start; i < stop; i++) {
                    if (Py.eq(items.get((int) i), a[0])) {
                        yield i;
                    }
                }
                throw JinjaRuntimeError.type(Py.repr(a[0]) + " is not in " + Py.typeName(list));
            }
            case "copy" -> {
                bind(name, args, kwargs, 0);
                in.budget().work(items.size());
                yield new ArrayList<>(items);
            }
            case "pop" -> {
                Object[] a = bind(name, args, kwargs, 0, "index");
                if (items.isEmpty()) {
                    throw JinjaRuntimeError.type("pop from empty list");
                }
                long i = a[0] == Py.MISSING ? -1 : Args.integer(a[0]);
                if (i < 0) {
                    i += items.size();
                }
                if (i < 0 || i >= items.size()) {
                    throw JinjaRuntimeError.type("pop index out of range");
                }
                yield items.remove((int) i);
            }
            default -> {
                bind(name, args, kwargs, 0);
                items.clear();
                yield null;
            }
        });
    }
}
