package dev.cerebrum.chat.jinja;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Binds call arguments to parameter names the way Python does for a simple function signature. */
final class Args {

    private Args() {
    }

    /**
     * Binds {@code args}/{@code kwargs} to {@code params}; the first {@code required} are mandatory, absent
     * optional ones come back as {@link Py#MISSING}. With {@code keywords} false the function takes no
     * keyword arguments (like most of Python's str methods).
     */
    static Object[] bind(String function, List<Object> args, Map<String, Object> kwargs, int required,
                         boolean keywords, String... params) {
        if (args.size() > params.length) {
            throw JinjaRuntimeError.type(function + "() takes at most " + params.length + " argument"
                    + (params.length == 1 ? "" : "s") + " (" + args.size() + " given)");
        }
        if (!keywords && !kwargs.isEmpty()) {
            throw JinjaRuntimeError.type(function + "() takes no keyword arguments");
        }
        Object[] out = new Object[params.length];
        Arrays.fill(out, Py.MISSING);
        for (int i = 0; i < args.size(); i++) {
            out[i] = args.get(i);
        }
        for (Map.Entry<String, Object> entry : kwargs.entrySet()) {
            int index = Arrays.asList(params).indexOf(entry.getKey());
            if (index < 0) {
                throw JinjaRuntimeError.type(function + "() got an unexpected keyword argument '" + entry.getKey() + "'");
            }
            if (out[index] != Py.MISSING) {
                throw JinjaRuntimeError.type(function + "() got multiple values for argument '" + entry.getKey() + "'");
            }
            out[index] = entry.getValue();
        }
        for (int i = 0; i < required; i++) {
            if (out[i] == Py.MISSING) {
                throw JinjaRuntimeError.type(function + "() missing required argument: '" + params[i] + "'");
            }
        }
        return out;
    }

    static Object or(Object value, Object fallback) {
        return value == Py.MISSING ? fallback : value;
    }

    /** An int argument; TypeError like Python's for anything else. */
    static long integer(Object value) {
        if (PyNum.isInt(value)) {
            return Py.index(value);
        }
        throw JinjaRuntimeError.type("'" + Py.typeName(value) + "' object cannot be interpreted as an integer");
    }

    /** A str argument; TypeError otherwise. */
    static String str(Object value, String what) {
        if (!Py.isStr(value)) {
            throw JinjaRuntimeError.type(what + " must be str, not " + Py.typeName(value));
        }
        return Py.text(value);
    }

    /** An indentation argument (jinja2's indent, json.dumps): a str as it is, or an int number of spaces. */
    static String indentation(Object width, Budget budget) {
        if (Py.isStr(width)) {
            return Py.text(width);
        }
        long spaces = Math.max(0, integer(width));
        budget.checkSize(spaces);
        return " ".repeat((int) spaces);
    }

    /** A str or None argument (None gives null). */
    static String optionalStr(Object value, String what) {
        return value == null || value == Py.MISSING ? null : str(value, what);
    }
}
