package dev.cerebrum.gguf;

/** The type of a GGUF metadata value, with its id in the file format. */
public enum GgufValueType {
    /** Unsigned 8-bit integer. */
    UINT8(0, 1),
    /** Signed 8-bit integer. */
    INT8(1, 1),
    /** Unsigned 16-bit integer. */
    UINT16(2, 2),
    /** Signed 16-bit integer. */
    INT16(3, 2),
    /** Unsigned 32-bit integer. */
    UINT32(4, 4),
    /** Signed 32-bit integer. */
    INT32(5, 4),
    /** 32-bit float. */
    FLOAT32(6, 4),
    /** Boolean stored as one byte. */
    BOOL(7, 1),
    /** UTF-8 string with a 64-bit length. */
    STRING(8, 8),
    /** Typed array with a 64-bit count. */
    ARRAY(9, 12),
    /** Unsigned 64-bit integer. */
    UINT64(10, 8),
    /** Signed 64-bit integer. */
    INT64(11, 8),
    /** 64-bit float. */
    FLOAT64(12, 8);

    private final int id;
    private final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    /** The type id stored in GGUF files. */
    public int id() {
        return id;
    }

    /** Whether values of this type are integers (held as {@code Long}). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The fewest bytes one value of this type takes in a file; bounds counts read from hostile files. */
    int minBytes() {
        return minBytes;
    }

    /** The type with this id, or null when unknown. */
    static GgufValueType byId(long id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
