package dev.cerebrum.chat.jinja;

import dev.cerebrum.chat.jinja.Node.Stmt;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed Jinja template and the entry point of this package: {@link #parse} once, then
 * {@link #render} any number of times, from any number of threads.
 */
public final class JinjaTemplate {

    private final List<Stmt> body;

    private JinjaTemplate(List<Stmt> body) {
        this.body = body;
    }

    /** Parses template source; throws {@link JinjaSyntaxError}. */
    public static JinjaTemplate parse(String source) {
        try {
            return new JinjaTemplate(Parser.parse(source));
        } catch (StackOverflowError e) {
            throw new JinjaSyntaxError("the template nests too deeply", 1, 1);
        }
    }

    /**
     * Renders with these top-level variables (JSON-like values: String, Number, Boolean, null, List, Map;
     * they are copied, never changed) within the given bounds; throws {@link JinjaRuntimeError}.
     */
    public String render(Map<String, Object> variables, Clock clock, long maxSteps, int maxChars, int maxDepth) {
        Budget budget = new Budget(maxSteps, maxChars, maxDepth);
        Map<String, Object> converted = new LinkedHashMap<>();
        variables.forEach((name, value) -> converted.put(name, toPython(value, 0, maxDepth)));
        Interpreter interpreter = new Interpreter(budget.activate());
        try {
            return interpreter.render(body, Globals.create(clock), converted);
        } catch (StackOverflowError e) {
            throw JinjaRuntimeError.limit("the template recursed too deeply");
        } finally {
            Budget.deactivate();
        }
    }

    /** Copies a JSON-like Java value into the interpreter's Python values. */
    private static Object toPython(Object value, int depth, int maxDepth) {
        if (depth > maxDepth) {
            throw JinjaRuntimeError.limit("the input nests deeper than " + maxDepth + " levels");
        }
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case BigInteger b -> PyNum.normalize(b);
            case Double d -> d;
            case Float f -> (double) f;
            case BigDecimal d -> d.doubleValue();
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                for (Object item : list) {
                    out.add(toPython(item, depth + 1, maxDepth));
                }
                yield out;
            }
            case Map<?, ?> map -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    if (!(entry.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("map keys must be strings, not " + entry.getKey());
                    }
                    out.put(key, toPython(entry.getValue(), depth + 1, maxDepth));
                }
                yield out;
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        };
    }
}
