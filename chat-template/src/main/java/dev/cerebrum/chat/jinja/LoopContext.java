package dev.cerebrum.chat.jinja;

import java.util.List;
import java.util.Map;

/** jinja2's {@code loop} variable inside a {@code for}. */
final class LoopContext implements PyCallable {

    private final List<Object> items;
    private final int depth0;
    private final PyCallable recurse;
    private int index0 = -1;
    private Object lastChanged = Py.MISSING;

    LoopContext(List<Object> items, int depth0, PyCallable recurse) {
        this.items = items;
        this.depth0 = depth0;
        this.recurse = recurse;
    }

    void advance() {
        index0++;
    }

    int length() {
        return items.size();
    }

    @Override
    public String repr() {
        return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
    }

    /** The value of {@code loop.name}, or MISSING. */
    Object attribute(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> (long) depth0 + 1;
            case "depth0" -> (long) depth0;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : Undefined.hint("there is no previous item");
            case "nextitem" -> index0 + 1 < n ? items.get(index0 + 1) : Undefined.hint("there is no next item");
            case "cycle" -> new Methods.Builtin("cycle", (in, args, kwargs) -> {
                if (args.isEmpty()) {
                    throw JinjaRuntimeError.type("no items for cycling given");
                }
                return args.get(index0 % args.size());
            });
            case "changed" -> new Methods.Builtin("changed", (in, args, kwargs) -> {
                Object value = PyTuple.copyOf(args);
                if (lastChanged == Py.MISSING || !Py.eq(lastChanged, value)) {
                    lastChanged = value;
                    return true;
                }
                return false;
            });
            default -> Py.MISSING;
        };
    }

    /** {@code loop(items)} in a recursive loop. */
    @Override
    public Object call(Interpreter interpreter, List<Object> args, Map<String, Object> kwargs) {
        if (recurse == null) {
            throw JinjaRuntimeError.type("Tried to call non recursive loop.  Maybe you forgot the 'recursive' modifier.");
        }
        return recurse.call(interpreter, args, kwargs);
    }
}
