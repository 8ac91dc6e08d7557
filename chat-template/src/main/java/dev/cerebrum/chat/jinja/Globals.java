package dev.cerebrum.chat.jinja;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The global functions a chat template sees: jinja2's {@code range}, {@code dict}, {@code namespace},
 * {@code cycler}, {@code joiner}, and Hugging Face's {@code raise_exception} and {@code strftime_now}.
 */
final class Globals {

    private Globals() {
    }

    static Map<String, Object> create(Clock clock) {
        Map<String, Object> globals = new LinkedHashMap<>();
        globals.put("range", new Methods.Builtin("range", Globals::range));
        globals.put("dict", new Methods.Builtin("dict", (in, args, kwargs) -> dict(in, args, kwargs)));
        globals.put("namespace", new Methods.Builtin("namespace", (in, args, kwargs) -> {
            Namespace ns = new Namespace();
            dict(in, args, kwargs).forEach((k, v) -> ns.attributes.put(Py.str(k), v));
            return ns;
        }));
        globals.put("cycler", new Methods.Builtin("cycler", Globals::cycler));
        globals.put("joiner", new Methods.Builtin("joiner", Globals::joiner));
        globals.put("lipsum", new Methods.Builtin("lipsum", (in, args, kwargs) -> {
            throw JinjaRuntimeError.type("lipsum() is not supported by this renderer");
        }));
        globals.put("raise_exception", new Methods.Builtin("raise_exception", (in, args, kwargs) -> {
            Object[] a = Args.bind("raise_exception", args, kwargs, 1, true, "message");
            throw new JinjaRuntimeError(JinjaRuntimeError.Kind.RAISED, Py.str(a[0]));
        }));
        globals.put("strftime_now", new Methods.Builtin("strftime_now", (in, args, kwargs) -> {
            Object[] a = Args.bind("strftime_now", args, kwargs, 1, true, "format");
            return Strftime.format(Args.str(a[0], "strftime() argument 1"), ZonedDateTime.now(clock));
        }));
        return globals;
    }

    private static Object range(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
        if (!kwargs.isEmpty()) {
            throw JinjaRuntimeError.type("range() takes no keyword arguments");
        }
        if (args.isEmpty() || args.size() > 3) {
            throw JinjaRuntimeError.type("range expected at least 1 argument, got " + args.size());
        }
        long start = 0;
        long stop;
        long step = 1;
        if (args.size() == 1) {
            stop = Args.integer(args.get(0));
        } else {
            start = Args.integer(args.get(0));
            stop = Args.integer(args.get(1));
            if (args.size() == 3) {
                step = Args.integer(args.get(2));
            }
        }
        return new PyRange(start, stop, step);
    }

    /** Python's {@code dict(mapping_or_pairs, **kwargs)}. */
    private static Map<Object, Object> dict(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
        if (args.size() > 1) {
            throw JinjaRuntimeError.type("dict expected at most 1 argument, got " + args.size());
        }
        Map<Object, Object> out = new LinkedHashMap<>();
        if (!args.isEmpty()) {
            Object source = args.get(0);
            if (source instanceof Map<?, ?> map) {
                map.forEach((k, v) -> Py.mapPut(out, k, v));
            } else {
                Iterator<Object> it = Py.iter(source);
                int index = 0;
                while (it.hasNext()) {
                    in.budget().step();
                    List<Object> pair = Py.toList(it.next(), in.budget());
                    if (pair.size() != 2) {
                        throw JinjaRuntimeError.type("dictionary update sequence element #" + index + " has length "
                                + pair.size() + "; 2 is required");
                    }
                    Py.mapPut(out, pair.get(0), pair.get(1));
                    index++;
                }
            }
        }
        kwargs.forEach((k, v) -> Py.mapPut(out, k, v));
        return out;
    }

    private static Object cycler(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
        if (args.isEmpty()) {
            throw JinjaRuntimeError.type("at least one item has to be provided");
        }
        List<Object> items = List.copyOf(args.stream().map(v -> v == null ? Py.MISSING : v).toList());
        Namespace state = new Namespace();
        int[] position = {0};
        Runnable refresh = () -> state.attributes.put("current", unwrap(items.get(position[0])));
        refresh.run();
        state.attributes.put("next", new Methods.Builtin("next", (i, a, k) -> {
            Object current = unwrap(items.get(position[0]));
            position[0] = (position[0] + 1) % items.size();
            refresh.run();
            return current;
        }));
        state.attributes.put("reset", new Methods.Builtin("reset", (i, a, k) -> {
            position[0] = 0;
            refresh.run();
            return null;
        }));
        return state;
    }

    private static Object unwrap(Object v) {
        return v == Py.MISSING ? null : v;
    }

    private static Object joiner(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
        Object[] a = Args.bind("joiner", args, kwargs, 0, true, "sep");
        Object separator = Args.or(a[0], ", ");
        boolean[] used = {false};
        return new Methods.Builtin("joiner", (i, x, k) -> {
            if (!used[0]) {
                used[0] = true;
                return "";
            }
            return separator;
        });
    }
}
