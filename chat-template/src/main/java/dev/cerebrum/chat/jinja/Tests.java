package dev.cerebrum.chat.jinja;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** jinja2's builtin tests ({@code x is defined}, {@code x is string}...), with Python's type rules. */
final class Tests {

    private static final Set<String> KNOWN = Set.of(
            "odd", "even", "divisibleby", "defined", "undefined", "filter", "test", "none", "boolean", "false", "true",
            "integer", "float", "lower", "upper", "string", "mapping", "number", "sequence", "iterable", "callable",
            "sameas", "escaped", "in", "==", "eq", "equalto", "!=", "ne", ">", "gt", "greaterthan", ">=", "ge", "<",
            "lt", "lessthan", "<=", "le");

    private Tests() {
    }

    static boolean isKnown(String name) {
        return KNOWN.contains(name);
    }

    /** Runs test {@code name} on {@code value}. */
    static boolean apply(String name, Object value, List<Object> args, Map<String, Object> kwargs, Budget budget) {
        if (!KNOWN.contains(name)) {
            throw JinjaRuntimeError.type("No test named '" + name + "' found.");
        }
        return switch (name) {
            case "defined" -> !Py.isUndefined(noArgs(name, value, args, kwargs));
            case "undefined" -> Py.isUndefined(noArgs(name, value, args, kwargs));
            case "none" -> noArgs(name, value, args, kwargs) == null;
            case "boolean" -> noArgs(name, value, args, kwargs) instanceof Boolean;
            case "false" -> Boolean.FALSE.equals(noArgs(name, value, args, kwargs));
            case "true" -> Boolean.TRUE.equals(noArgs(name, value, args, kwargs));
            case "integer" -> PyNum.isInt(noArgs(name, value, args, kwargs)) && !(value instanceof Boolean);
            case "float" -> noArgs(name, value, args, kwargs) instanceof Double;
            case "number" -> PyNum.isNumber(noArgs(name, value, args, kwargs));
            case "string" -> Py.isStr(noArgs(name, value, args, kwargs));
            case "mapping" -> noArgs(name, value, args, kwargs) instanceof Map;
            case "iterable" -> Py.isIterable(noArgs(name, value, args, kwargs));
            case "sequence" -> isSequence(noArgs(name, value, args, kwargs));
            case "callable" -> noArgs(name, value, args, kwargs) instanceof PyCallable || Py.isUndefined(value);
            case "escaped" -> noArgs(name, value, args, kwargs) instanceof Markup;
            case "lower" -> PyStr.isLowerStr(Py.str(noArgs(name, value, args, kwargs)));
            case "upper" -> PyStr.isUpperStr(Py.str(noArgs(name, value, args, kwargs)));
            case "odd" -> Py.eq(Py.mod(noArgs(name, value, args, kwargs), 2L, budget), 1L);
            case "even" -> Py.eq(Py.mod(noArgs(name, value, args, kwargs), 2L, budget), 0L);
            case "divisibleby" -> Py.eq(Py.mod(value, oneArg(name, args, kwargs, "num"), budget), 0L);
            case "filter" -> Py.isStr(noArgs(name, value, args, kwargs)) && Filters.isKnown(Py.text(value));
            case "test" -> Py.isStr(noArgs(name, value, args, kwargs)) && KNOWN.contains(Py.text(value));
            case "sameas" -> sameAs(value, oneArg(name, args, kwargs, "other"));
            case "in" -> Py.contains(oneArg(name, args, kwargs, "seq"), value);
            case "==", "eq", "equalto" -> Py.eq(value, oneArg(name, args, kwargs, "b"));
            case "!=", "ne" -> !Py.eq(value, oneArg(name, args, kwargs, "b"));
            case ">", "gt", "greaterthan" -> Py.compare(Node.Op.GT, value, oneArg(name, args, kwargs, "b"));
            case ">=", "ge" -> Py.compare(Node.Op.GTEQ, value, oneArg(name, args, kwargs, "b"));
            case "<", "lt", "lessthan" -> Py.compare(Node.Op.LT, value, oneArg(name, args, kwargs, "b"));
            default -> Py.compare(Node.Op.LTEQ, value, oneArg(name, args, kwargs, "b"));
        };
    }

    private static Object noArgs(String name, Object value, List<Object> args, Map<String, Object> kwargs) {
        Args.bind("test_" + name, args, kwargs, 0, true);
        return value;
    }

    private static Object oneArg(String name, List<Object> args, Map<String, Object> kwargs, String param) {
        return Args.bind(name, args, kwargs, 1, true, param)[0];
    }

    /** Python's len() and __getitem__ both exist. Undefined has both, so it counts as a sequence. */
    private static boolean isSequence(Object value) {
        return Py.isStr(value) || value instanceof List || value instanceof Map || Py.isUndefined(value);
    }

    /** Python's {@code is}: None, booleans and small ints are singletons; otherwise identity. */
    private static boolean sameAs(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a instanceof Boolean && b instanceof Boolean) {
            return a.equals(b);
        }
        if (a instanceof Long x && b instanceof Long y) {
            return x.equals(y) && x >= -5 && x <= 256;
        }
        return false;
    }
}
