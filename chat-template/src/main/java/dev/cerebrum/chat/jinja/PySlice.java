package dev.cerebrum.chat.jinja;

import java.util.ArrayList;
import java.util.List;

/** A slice {@code [start:stop:step]}; each part is an int or null (None). */
record PySlice(Object start, Object stop, Object step) {

    /**
     * Python's {@code obj[start:stop:step]}. jinja2 compiles slices to plain Python subscription, without
     * its getitem fallback, so errors raise instead of giving undefined.
     */
    Object apply(Object obj) {
        if (Py.isUndefined(obj)) {
            throw Py.undefinedError(obj);
        }
        if (obj instanceof java.util.Map) {
            throw JinjaRuntimeError.type("unhashable type: 'slice'");
        }
        if (!(obj instanceof List) && !Py.isStr(obj)) {
            throw JinjaRuntimeError.type("'" + Py.typeName(obj) + "' object is not subscriptable");
        }
        if (!isIndex(start) || !isIndex(stop) || !isIndex(step)) {
            throw JinjaRuntimeError.type("slice indices must be integers or None or have an __index__ method");
        }
        long stride = step == null ? 1 : Py.index(step);
        if (stride == 0) {
            throw JinjaRuntimeError.type("slice step cannot be zero");
        }
        if (obj instanceof PyRange range) {
            long[] bounds = indices(range.size(), stride);
            return new PyRange(range.start + bounds[0] * range.step, range.start + bounds[1] * range.step, range.step * stride);
        }
        if (Py.isStr(obj)) {
            String s = Py.text(obj);
            StringBuilder out = new StringBuilder();
            int[] cps = PyStr.codePoints(s);
            long[] bounds = indices(cps.length, stride);
            for (long i = bounds[0]; stride > 0 ? i < bounds[1] : i > bounds[1]; i += stride) {
                out.appendCodePoint(cps[(int) i]);
            }
            return obj instanceof Markup ? new Markup(out.toString()) : out.toString();
        }
        List<?> list = (List<?>) obj;
        long[] bounds = indices(list.size(), stride);
        List<Object> out = new ArrayList<>();
        for (long i = bounds[0]; stride > 0 ? i < bounds[1] : i > bounds[1]; i += stride) {
            out.add(list.get((int) i));
        }
        return obj instanceof PyTuple ? PyTuple.copyOf(out) : out;
    }

    private static boolean isIndex(Object part) {
        return part == null || PyNum.isInt(part);
    }

    /** Python's {@code slice.indices(length)}: the clamped start and stop. */
    private long[] indices(long length, long stride) {
        long lower = stride > 0 ? 0 : -1;
        long upper = stride > 0 ? length : length - 1;
        return new long[] {clamp(start, length, lower, upper, stride < 0 ? upper : lower),
                clamp(stop, length, lower, upper, stride < 0 ? lower : upper)};
    }

    private static long clamp(Object part, long length, long lower, long upper, long absent) {
        if (part == null) {
            return absent;
        }
        long i = Py.index(part);
        if (i < 0) {
            i += length;
            return Math.max(i, lower);
        }
        return Math.min(i, upper);
    }
}
