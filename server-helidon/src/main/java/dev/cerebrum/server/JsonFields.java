package dev.cerebrum.server;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed access to the fields of a JSON object in a request body; every refusal is a 400 naming the field. A
 * null value is the same as an absent one. Fields of a nested object are named with their parent's prefix
 * ({@code stream_options.include_usage}).
 *
 * @param map    the object
 * @param prefix what goes before a field's name in errors, empty at the top level
 */
record JsonFields(Map<?, ?> map, String prefix) {

    JsonFields(Map<?, ?> map) {
        this(map, "");
    }

    /** Parses a request body that must be one JSON object. */
    static JsonFields ofBody(byte[] bytes) {
        Object parsed;
        try {
            parsed = Json.read(bytes);
        } catch (IOException | RuntimeException e) {
            throw new ApiException(ApiError.invalid("body", "the request body is not valid JSON"));
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new ApiException(ApiError.invalid("body", "the request body must be a JSON object"));
        }
        return new JsonFields(map);
    }

    /** The field's value as parsed, or null. */
    Object raw(String name) {
        return map.get(name);
    }

    /** The full name of a field, for errors. */
    String nameOf(String name) {
        return prefix + name;
    }

    /** A refusal of the field with this message. */
    ApiException invalid(String name, String message) {
        return new ApiException(ApiError.invalid(nameOf(name), message));
    }

    String requiredString(String name) {
        Object v = map.get(name);
        if (v == null) {
            throw invalid(name, nameOf(name) + " is required");
        }
        if (!(v instanceof String s)) {
            throw invalid(name, nameOf(name) + " must be a string");
        }
        return s;
    }

    String optionalString(String name) {
        Object v = map.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw invalid(name, nameOf(name) + " must be a string or null");
        }
        return s;
    }

    Long integer(String name) {
        Object v = map.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b) {
            return b.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        // Whole numbers written as 512.0 are accepted, as Python clients sometimes send them.
        if (v instanceof Double d && Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return d.longValue();
        }
        if (v instanceof BigDecimal b) {
            try {
                return b.longValueExact();
            } catch (ArithmeticException e) {
                // reported below
            }
        }
        throw invalid(name, nameOf(name) + " must be an integer");
    }

    Double number(String name) {
        Object v = map.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n && !(v instanceof Boolean)) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                return d;
            }
        }
        throw invalid(name, nameOf(name) + " must be a number");
    }

    Boolean bool(String name) {
        Object v = map.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Boolean b)) {
            throw invalid(name, nameOf(name) + " must be true or false");
        }
        return b;
    }

    /** A nested object, or null. */
    JsonFields object(String name) {
        Object v = map.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw invalid(name, nameOf(name) + " must be an object");
        }
        return new JsonFields(m, nameOf(name) + ".");
    }

    /** A list, or null. */
    List<?> list(String name) {
        Object v = map.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> l)) {
            throw invalid(name, nameOf(name) + " must be an array");
        }
        return l;
    }

    /** Stop strings: a list of strings, a single string (a list of one), or null. */
    List<String> stop() {
        Object v = map.get("stop");
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return s.isEmpty() ? List.of() : List.of(s);
        }
        if (!(v instanceof List<?> list)) {
            throw invalid("stop", "stop must be a list of strings or null");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw invalid("stop", "stop must be a list of strings or null");
            }
            out.add(s);
        }
        return out;
    }
}
