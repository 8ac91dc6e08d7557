package dev.cerebrum.chat.jinja;

import java.util.ArrayList;
import java.util.List;

/** A slice {@code [start:stop:step]}; each part is an int or null (None). */
record PySlice(Object start, Object stop, Object step) {

    /**
     * Python's {@code obj[start:stop:step]}. jinja2 compiles slices to plain Python subscription, without
     * its getitem fallback, so a type error raises; only a slice it folded at compile time ({@code folded})
     * went through the fallback, and then a type error gives {@link Py#MISSING} (undefined).
     */
    Object apply(Object obj, boolean folded) {
        if (Py.isUndefined(obj)) {
            throw Py.undefinedError(obj);
        }
        String typeError = null;
        if (obj instanceof java.util.Map) {
            typeError = "unhashable type: 'slice'";
        } else if (!(obj instanceof List) && !Py.isStr(obj)) {
            typeError = "'" + Py.typeName(obj) + "' object is not subscriptable";
        } else if (!isIndex(start) || !isIndex(stop) || !isIndex(step)) {
            typeError = "slice indices must be integers or None or have an __index__ method";
        }
        if (typeError != null) {
            if (folded) {
                return Py.MISSING;
            }
            throw JinjaRuntimeError.type(typeError);
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
