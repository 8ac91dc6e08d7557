package dev.cerebrum.chat.jinja;

import java.util.List;
import java.util.Map;

/** Something a template may call: a macro, a builtin function or a bound method. */
interface PyCallable {

    /** Calls it with positional and keyword arguments. */
    Object call(Interpreter interpreter, List<Object> args, Map<String, Object> kwargs);

    /** How Python would print it. */
    String repr();
}
