package dev.cerebrum.gguf;

import java.util.List;
import java.util.Objects;

/**
 * A typed GGUF metadata value. Integers of every width are held as {@code Long} (UINT64 as its
 * two's-complement bits), FLOAT32 as {@code Float}, FLOAT64 as {@code Double}, BOOL as
 * {@code Boolean}, STRING as {@code String} and ARRAY as {@link GgufArray}.
 *
 * @param type  the value type
 * @param value the Java value, checked against the type
 */
public record GgufValue(GgufValueType type, Object value) {

    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        checkElement(type, value);
    }

    static void checkElement(GgufValueType type, Object value) {
        switch (type) {
            case UINT8 -> checkRange(type, value, 0, 0xFF);
            case INT8 -> checkRange(type, value, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT16 -> checkRange(type, value, 0, 0xFFFF);
            case INT16 -> checkRange(type, value, Short.MIN_VALUE, Short.MAX_VALUE);
            case UINT32 -> checkRange(type, value, 0, 0xFFFF_FFFFL);
            case INT32 -> checkRange(type, value, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case UINT64, INT64 -> checkRange(type, value, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT32 -> checkClass(type, value, Float.class);
            case FLOAT64 -> checkClass(type, value, Double.class);
            case BOOL -> checkClass(type, value, Boolean.class);
            case STRING -> checkClass(type, value, String.class);
            case ARRAY -> checkClass(type, value, GgufArray.class);
        }
    }

    private static void checkClass(GgufValueType type, Object value, Class<?> expected) {
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(type + " needs a " + expected.getSimpleName() + ", got " + value.getClass().getSimpleName());
        }
    }

    private static void checkRange(GgufValueType type, Object value, long min, long max) {
        checkClass(type, value, Long.class);
        long v = (Long) value;
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " is out of range for " + type);
        }
    }

    /** An unsigned 8-bit value. */
    public static GgufValue uint8(int v) {
        return new GgufValue(GgufValueType.UINT8, (long) v);
    }

    /** A signed 8-bit value. */
    public static GgufValue int8(int v) {
        return new GgufValue(GgufValueType.INT8, (long) v);
    }

    /** An unsigned 16-bit value. */
    public static GgufValue uint16(int v) {
        return new GgufValue(GgufValueType.UINT16, (long) v);
    }

    /** A signed 16-bit value. */
    public static GgufValue int16(int v) {
        return new GgufValue(GgufValueType.INT16, (long) v);
    }

    /** An unsigned 32-bit value. */
    public static GgufValue uint32(long v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    /** A signed 32-bit value. */
    public static GgufValue int32(int v) {
        return new GgufValue(GgufValueType.INT32, (long) v);
    }

    /** An unsigned 64-bit value (given as its two's-complement bits). */
    public static GgufValue uint64(long v) {
        return new GgufValue(GgufValueType.UINT64, v);
    }

    /** A signed 64-bit value. */
    public static GgufValue int64(long v) {
        return new GgufValue(GgufValueType.INT64, v);
    }

    /** A 32-bit float. */
    public static GgufValue float32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    /** A 64-bit float. */
    public static GgufValue float64(double v) {
        return new GgufValue(GgufValueType.FLOAT64, v);
    }

    /** A boolean. */
    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    /** A string. */
    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, v);
    }

    /** An array. */
    public static GgufValue array(GgufArray v) {
        return new GgufValue(GgufValueType.ARRAY, v);
    }

    /** An array of strings. */
    public static GgufValue strings(List<String> values) {
        return array(new GgufArray(GgufValueType.STRING, List.copyOf(values)));
    }

    /** An array of 32-bit floats. */
    public static GgufValue float32s(float[] values) {
        Object[] boxed = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return array(new GgufArray(GgufValueType.FLOAT32, List.of(boxed)));
    }

    /** An array of signed 32-bit integers. */
    public static GgufValue int32s(int[] values) {
        Object[] boxed = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = (long) values[i];
        }
        return array(new GgufArray(GgufValueType.INT32, List.of(boxed)));
    }

    /** The integer value; fails for non-integer types. */
    public long asLong() {
        if (!type.isInteger()) {
            throw new IllegalStateException("a " + type + " value is not an integer");
        }
        return (Long) value;
    }

    /** The value as a double, for integer and float types. */
    public double asDouble() {
        return switch (value) {
            case Long l -> type == GgufValueType.UINT64 && l < 0 ? unsignedToDouble(l) : l;
            case Float f -> f;
            case Double d -> d;
            default -> throw new IllegalStateException("a " + type + " value is not a number");
        };
    }

    private static double unsignedToDouble(long l) {
        return (double) (l >>> 1) * 2.0 + (l & 1);
    }

    /** The string value; fails for other types. */
    public String asString() {
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalStateException("a " + type + " value is not a string");
    }

    /** The boolean value; fails for other types. */
    public boolean asBoolean() {
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalStateException("a " + type + " value is not a boolean");
    }

    /** The array value; fails for other types. */
    public GgufArray asArray() {
        if (value instanceof GgufArray a) {
            return a;
        }
        throw new IllegalStateException("a " + type + " value is not an array");
    }
}
