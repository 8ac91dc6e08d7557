package dev.cerebrum.chat.jinja;

import dev.cerebrum.chat.jinja.Node.Args;
import dev.cerebrum.chat.jinja.Node.Expr;
import dev.cerebrum.chat.jinja.Node.MacroDef;
import dev.cerebrum.chat.jinja.Node.Stmt;
import dev.cerebrum.chat.jinja.Node.Target;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes a parsed template. Scoping follows jinja2: {@code if} shares its scope, every {@code for}
 * iteration, macro call, {@code with}, filter block and set block gets a new one, and macros see the scope
 * where they were defined (looked up when they run).
 */
final class Interpreter {

    private enum Flow { NORMAL, BREAK, CONTINUE }

    private final Budget budget;

    Interpreter(Budget budget) {
        this.budget = budget;
    }

    Budget budget() {
        return budget;
    }

    // ---------------------------------------------------------------- scopes and output

    /** A variable scope; lookups walk up to the globals. */
    static final class Scope {
        private final Scope parent;
        private final Map<String, Object> vars = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        Object lookup(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                Object value = s.vars.get(name);
                if (value != null || s.vars.containsKey(name)) {
                    return value;
                }
            }
            return Py.MISSING;
        }

        void set(String name, Object value) {
            vars.put(name, value);
        }
    }

    /** A bounded output buffer. */
    private final class Out {
        private final StringBuilder text = new StringBuilder();

        void append(String s) {
            budget.checkSize((long) text.length() + s.length());
            budget.chars(s.length());
            text.append(s);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    /** Renders a whole template with these top-level variables. */
    String render(List<Stmt> body, Map<String, Object> globals, Map<String, Object> variables) {
        Scope global = new Scope(null);
        global.vars.putAll(globals);
        Scope context = new Scope(global);
        context.vars.putAll(variables);
        Out out = new Out();
        exec(body, new Scope(context), out);
        return out.toString();
    }

    // ---------------------------------------------------------------- statements

    private Flow exec(List<Stmt> body, Scope scope, Out out) {
        for (Stmt stmt : body) {
            Flow flow = exec(stmt, scope, out);
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    private Flow exec(Stmt stmt, Scope scope, Out out) {
        budget.step();
        try {
            switch (stmt) {
                case Node.Text t -> out.append(t.text());
                case Node.Print p -> out.append(Py.str(eval(p.expr(), scope)));
                case Node.If i -> {
                    for (int k = 0; k < i.tests().size(); k++) {
                        if (Py.truthy(eval(i.tests().get(k), scope))) {
                            return exec(i.bodies().get(k), scope, out);
                        }
                    }
                    return exec(i.orElse(), scope, out);
                }
                case Node.For f -> {
                    return loop(f, eval(f.iterable(), scope), scope, out, 0);
                }
                case Node.Set s -> assign(s.target(), eval(s.expr(), scope), scope);
                case Node.SetBlock s -> {
                    Object value = capture(s.body(), new Scope(scope));
                    if (s.filter() != null) {
                        value = filter(s.filter(), value, scope);
                    }
                    assign(s.target(), value, scope);
                }
                case Node.Macro m -> scope.set(m.def().name(), new MacroValue(m.def(), scope));
                case Node.CallBlock c -> {
                    Object callee = eval(c.call().callee(), scope);
                    List<Object> args = positional(c.call().args(), scope);
                    Map<String, Object> kwargs = keywords(c.call().args(), scope);
                    kwargs.put("caller", new MacroValue(c.caller(), scope));
                    out.append(Py.str(Py.call(this, callee, args, kwargs)));
                }
                case Node.FilterBlock f -> {
                    Object value = capture(f.body(), new Scope(scope));
                    out.append(Py.str(filter(f.filter(), value, scope)));
                }
                case Node.With w -> {
                    Scope inner = new Scope(scope);
                    for (int k = 0; k < w.targets().size(); k++) {
                        assign(w.targets().get(k), eval(w.values().get(k), scope), inner);
                    }
                    return exec(w.body(), inner, out);
                }
                case Node.Scoped s -> {
                    return exec(s.body(), new Scope(scope), out);
                }
                case Node.Break b -> {
                    return Flow.BREAK;
                }
                case Node.Continue c -> {
                    return Flow.CONTINUE;
                }
                case Node.Unsupported u -> throw JinjaRuntimeError.type(
                        "'" + u.tag() + "' needs a template loader, and chat templates have none");
            }
            return Flow.NORMAL;
        } catch (JinjaRuntimeError e) {
            throw e.atLine(stmt.line());
        }
    }

    private String capture(List<Stmt> body, Scope scope) {
        Out captured = new Out();
        exec(body, scope, captured);
        return captured.toString();
    }

    private Flow loop(Node.For f, Object iterable, Scope scope, Out out, int depth0) {
        List<Object> items = Py.toList(iterable, budget);
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope test = new Scope(scope);
                assign(f.target(), item, test);
                if (Py.truthy(eval(f.filter(), test))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        PyCallable recurse = f.recursive() ? new Methods.Builtin("loop", (in, args, kwargs) -> {
            if (args.size() != 1 || !kwargs.isEmpty()) {
                throw JinjaRuntimeError.type("loop() takes exactly one argument");
            }
            Out nested = new Out();
            budget.enter();
            try {
                loop(f, args.get(0), scope, nested, depth0 + 1);
            } finally {
                budget.leave();
            }
            return nested.toString();
        }) : null;
        LoopContext context = new LoopContext(items, depth0, recurse);
        // jinja2 runs the else block unless some iteration reached the end of the body (a break or
        // continue in every iteration counts as none)
        boolean completed = false;
        for (Object item : items) {
            budget.step();
            context.advance();
            Scope body = new Scope(scope);
            body.set("loop", context);
            assign(f.target(), item, body);
            Flow flow = exec(f.body(), body, out);
            if (flow == Flow.BREAK) {
                break;
            }
            completed |= flow == Flow.NORMAL;
        }
        if (!completed && !f.orElse().isEmpty()) {
            return exec(f.orElse(), new Scope(scope), out);
        }
        return Flow.NORMAL;
    }

    private void assign(Target target, Object value, Scope scope) {
        switch (target) {
            case Node.NameTarget n -> scope.set(n.name(), value);
            case Node.TupleTarget t -> {
                if (!Py.isIterable(value)) {
                    throw JinjaRuntimeError.type("cannot unpack non-iterable " + Py.typeName(value) + " object");
                }
                List<Object> items = Py.toList(value, budget);
                int expected = t.items().size();
                if (items.size() > expected) {
                    throw JinjaRuntimeError.type("too many values to unpack (expected " + expected + ")");
                }
                if (items.size() < expected) {
                    throw JinjaRuntimeError.type("not enough values to unpack (expected " + expected + ", got "
                            + items.size() + ")");
                }
                for (int i = 0; i < expected; i++) {
                    assign(t.items().get(i), items.get(i), scope);
                }
            }
            case Node.NamespaceTarget n -> {
                Object ns = scope.lookup(n.name());
                if (!(ns instanceof Namespace namespace)) {
                    throw JinjaRuntimeError.type("Cannot assign attribute on non-namespace object");
                }
                namespace.attributes.put(n.attribute(), value);
            }
        }
    }

    // ---------------------------------------------------------------- expressions

    Object eval(Expr expr, Scope scope) {
        budget.step();
        switch (expr) {
            case Node.Const c -> {
                return c.value();
            }
            case Node.Name n -> {
                Object value = scope.lookup(n.name());
                return value == Py.MISSING ? Undefined.named(n.name()) : value;
            }
            case Node.ListLit l -> {
                List<Object> items = new ArrayList<>(l.items().size());
                for (Expr item : l.items()) {
                    items.add(eval(item, scope));
                }
                return items;
            }
            case Node.TupleLit t -> {
                List<Object> items = new ArrayList<>(t.items().size());
                for (Expr item : t.items()) {
                    items.add(eval(item, scope));
                }
                return PyTuple.copyOf(items);
            }
            case Node.DictLit d -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object key = eval(d.keys().get(i), scope);
                    Object value = eval(d.values().get(i), scope);
                    Py.mapPut(map, key, value);
                }
                return map;
            }
            case Node.GetAttr g -> {
                return Py.getattr(eval(g.object(), scope), g.attribute());
            }
            case Node.GetItem g -> {
                Object object = eval(g.object(), scope);
                Object key = eval(g.key(), scope);
                if (key instanceof PySlice slice) {
                    Object sliced = slice.apply(object, Folding.isConstant(g));
                    return sliced == Py.MISSING ? Undefined.missing(object, key) : sliced;
                }
                return Py.getitem(object, key);
            }
            case Node.Slice s -> {
                return new PySlice(optional(s.start(), scope), optional(s.stop(), scope), optional(s.step(), scope));
            }
            case Node.Call c -> {
                Object callee = eval(c.callee(), scope);
                return Py.call(this, callee, positional(c.args(), scope), keywords(c.args(), scope));
            }
            case Node.Filter f -> {
                return filter(f, null, scope);
            }
            case Node.Test t -> {
                Object value = eval(t.value(), scope);
                return Tests.apply(t.name(), value, positional(t.args(), scope), keywords(t.args(), scope), budget);
            }
            case Node.Unary u -> {
                Object operand = eval(u.operand(), scope);
                return switch (u.op()) {
                    case NOT -> !Py.truthy(operand);
                    case NEG -> Py.neg(operand);
                    default -> Py.pos(operand);
                };
            }
            case Node.Binary b -> {
                return binary(b, scope);
            }
            case Node.Concat c -> {
                StringBuilder text = new StringBuilder();
                for (Expr part : c.parts()) {
                    text.append(Py.str(eval(part, scope)));
                    budget.checkSize(text.length());
                }
                return budget.string(text.toString());
            }
            case Node.Compare c -> {
                Object left = eval(c.first(), scope);
                for (Node.Operand operand : c.rest()) {
                    Object right = eval(operand.expr(), scope);
                    if (!compare(operand.op(), left, right)) {
                        return false;
                    }
                    left = right;
                }
                return true;
            }
            case Node.CondExpr c -> {
                if (Py.truthy(eval(c.test(), scope))) {
                    return eval(c.then(), scope);
                }
                if (c.otherwise() == null) {
                    return Undefined.hint("the inline if-expression on line " + c.line()
                            + " evaluated to false and no else section was defined.");
                }
                return eval(c.otherwise(), scope);
            }
        }
    }

    private Object optional(Expr expr, Scope scope) {
        return expr == null ? null : eval(expr, scope);
    }

    private Object binary(Node.Binary b, Scope scope) {
        Object left = eval(b.left(), scope);
        switch (b.op()) {
            case AND -> {
                return Py.truthy(left) ? eval(b.right(), scope) : left;
            }
            case OR -> {
                return Py.truthy(left) ? left : eval(b.right(), scope);
            }
            default -> {
            }
        }
        Object right = eval(b.right(), scope);
        return switch (b.op()) {
            case ADD -> Py.add(left, right, budget);
            case SUB -> Py.sub(left, right);
            case MUL -> Py.mul(left, right, budget);
            case DIV -> Py.div(left, right);
            case FLOORDIV -> Py.floorDiv(left, right);
            case MOD -> Py.mod(left, right, budget);
            case POW -> Folding.losesParentheses(b, left) ? Py.neg(Py.pow(Py.neg(left), right)) : Py.pow(left, right);
            default -> throw new IllegalStateException(b.op().name());
        };
    }

    private static boolean compare(Node.Op op, Object left, Object right) {
        return switch (op) {
            case EQ -> Py.eq(left, right);
            case NE -> !Py.eq(left, right);
            case IN -> Py.contains(right, left);
            case NOTIN -> !Py.contains(right, left);
            default -> Py.compare(op, left, right);
        };
    }

    /** Evaluates a filter; {@code blockValue} replaces the innermost missing operand of a filter block. */
    private Object filter(Node.Filter f, Object blockValue, Scope scope) {
        Object value;
        if (f.value() == null) {
            value = blockValue;
        } else if (f.value() instanceof Node.Filter inner && blockValue != null) {
            value = filter(inner, blockValue, scope);
        } else {
            value = eval(f.value(), scope);
        }
        return Filters.apply(this, f.name(), value, positional(f.args(), scope), keywords(f.args(), scope));
    }

    private List<Object> positional(Args args, Scope scope) {
        List<Object> out = new ArrayList<>(args.positional().size());
        for (Expr arg : args.positional()) {
            out.add(eval(arg, scope));
        }
        if (args.star() != null) {
            out.addAll(Py.toList(eval(args.star(), scope), budget));
        }
        return out;
    }

    private Map<String, Object> keywords(Args args, Scope scope) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Node.Keyword keyword : args.keywords()) {
            out.put(keyword.name(), eval(keyword.value(), scope));
        }
        if (args.starStar() != null) {
            Object extra = eval(args.starStar(), scope);
            if (!(extra instanceof Map<?, ?> map)) {
                throw JinjaRuntimeError.type("argument after ** must be a mapping, not " + Py.typeName(extra));
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!Py.isStr(entry.getKey())) {
                    throw JinjaRuntimeError.type("keywords must be strings");
                }
                out.put(Py.text(entry.getKey()), entry.getValue());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- macros

    /** A macro, or the body of a call block (named {@code caller}). */
    final class MacroValue implements PyCallable {
        private final MacroDef def;
        private final Scope closure;

        MacroValue(MacroDef def, Scope closure) {
            this.def = def;
            this.closure = closure;
        }

        private String name() {
            return def.name() == null ? "caller" : def.name();
        }

        Object attribute(String attribute) {
            return switch (attribute) {
                case "name" -> name();
                case "arguments" -> PyTuple.copyOf(def.params());
                case "catch_kwargs" -> def.usesKwargs();
                case "catch_varargs" -> def.usesVarargs();
                case "caller" -> def.usesCaller();
                default -> Py.MISSING;
            };
        }

        @Override
        public String repr() {
            return "<Macro '" + name() + "'>";
        }

        @Override
        public Object call(Interpreter interpreter, List<Object> args, Map<String, Object> kwargs) {
            List<String> params = def.params();
            int count = params.size();
            Object[] values = new Object[count];
            java.util.Arrays.fill(values, Py.MISSING);
            for (int i = 0; i < Math.min(args.size(), count); i++) {
                values[i] = args.get(i);
            }
            Map<String, Object> rest = new LinkedHashMap<>(kwargs);
            boolean foundCaller;
            if (args.size() < count) {
                foundCaller = false;
                for (int i = args.size(); i < count; i++) {
                    if (rest.containsKey(params.get(i))) {
                        values[i] = rest.remove(params.get(i));
                    }
                    foundCaller |= params.get(i).equals("caller");
                }
            } else {
                foundCaller = params.contains("caller");
            }
            Object caller = Py.MISSING;
            if (def.usesCaller() && !foundCaller) {
                caller = rest.remove("caller");
                if (caller == null) {
                    caller = Undefined.hint("No caller defined");
                }
            }
            if (!def.usesKwargs() && !rest.isEmpty()) {
                if (rest.containsKey("caller")) {
                    throw JinjaRuntimeError.type("macro '" + name() + "' was invoked with two values for the special"
                            + " caller argument. This is most likely a bug.");
                }
                throw JinjaRuntimeError.type("macro '" + name() + "' takes no keyword argument '"
                        + rest.keySet().iterator().next() + "'");
            }
            if (!def.usesVarargs() && args.size() > count) {
                throw JinjaRuntimeError.type("macro '" + name() + "' takes not more than " + count + " argument(s)");
            }
            budget.enter();
            try {
                Scope scope = new Scope(closure);
                int firstDefault = count - def.defaults().size();
                for (int i = 0; i < count; i++) {
                    if (values[i] != Py.MISSING) {
                        scope.set(params.get(i), values[i]);
                    }
                }
                for (int i = 0; i < count; i++) {
                    if (values[i] == Py.MISSING) {
                        Object value = i >= firstDefault
                                ? eval(def.defaults().get(i - firstDefault), scope)
                                : Undefined.hint("parameter '" + params.get(i) + "' was not provided");
                        scope.set(params.get(i), value);
                    }
                }
                if (def.usesCaller() && caller != Py.MISSING) {
                    scope.set("caller", caller);
                }
                if (def.usesKwargs()) {
                    scope.set("kwargs", new LinkedHashMap<Object, Object>(rest));
                }
                if (def.usesVarargs()) {
                    scope.set("varargs", PyTuple.copyOf(args.size() > count ? args.subList(count, args.size()) : List.of()));
                }
                return capture(def.body(), scope);
            } finally {
                budget.leave();
            }
        }
    }
}
