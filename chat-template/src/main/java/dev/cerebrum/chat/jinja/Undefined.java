package dev.cerebrum.chat.jinja;

/**
 * jinja2's default {@code Undefined}: prints as nothing, iterates as empty, is false, equals only another
 * undefined, and raises on anything else (arithmetic, attribute access, calls, comparisons).
 */
final class Undefined {

    private final String message;

    private Undefined(String message) {
        this.message = message;
    }

    /** A variable that does not exist. */
    static Undefined named(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    /** A missing attribute or key of an object. */
    static Undefined missing(Object object, Object key) {
        if (key instanceof String name) {
            return new Undefined("'" + Py.objectTypeRepr(object) + "' has no attribute '" + name + "'");
        }
        return new Undefined(Py.objectTypeRepr(object) + " has no element " + Py.repr(key));
    }

    /** An undefined value with an explanation, such as "No first item, sequence was empty.". */
    static Undefined hint(String message) {
        return new Undefined(message);
    }

    /** Raises the error this undefined stands for. */
    JinjaRuntimeError fail() {
        return JinjaRuntimeError.type(message);
    }

    String message() {
        return message;
    }

    @Override
    public String toString() {
        return "Undefined";
    }
}
