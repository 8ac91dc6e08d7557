package dev.cerebrum.chat.jinja;

import dev.cerebrum.chat.jinja.Node.Args;
import dev.cerebrum.chat.jinja.Node.Expr;
import dev.cerebrum.chat.jinja.Node.MacroDef;
import dev.cerebrum.chat.jinja.Node.Stmt;

import java.util.List;
import java.util.Set;

/**
 * The checks jinja2's compiler makes after parsing: an unknown filter or test is a syntax error, except
 * inside an {@code if} or a conditional expression (jinja2's "soft frame"), where it fails only when
 * reached. A {@code for}, macro, call, filter or set block starts a new frame that is not soft.
 */
final class Validator {

    private Validator() {
    }

    static void check(List<Stmt> body) {
        statements(body, false);
    }

    /** Collects every variable name the statements read, at any depth (for a macro's caller/varargs/kwargs). */
    static void loadedNames(List<Stmt> body, Set<String> names) {
        new Walker() {
            @Override
            void name(String name) {
                names.add(name);
            }
        }.statements(body, false);
    }

    private static void statements(List<Stmt> body, boolean soft) {
        new Walker() {
            @Override
            void filter(Node.Filter filter, boolean soft) {
                if (!soft && !Filters.isKnown(filter.name())) {
                    throw new JinjaSyntaxError("No filter named '" + filter.name() + "'.", filter.line(), filter.column());
                }
            }

            @Override
            void test(Node.Test test, boolean soft) {
                if (!soft && !Tests.isKnown(test.name())) {
                    throw new JinjaSyntaxError("No test named '" + test.name() + "'.", test.line(), test.column());
                }
            }
        }.statements(body, soft);
    }

    /** Visits every node, tracking whether the current frame is soft. */
    private abstract static class Walker {

        void name(String name) {
        }

        void filter(Node.Filter filter, boolean soft) {
        }

        void test(Node.Test test, boolean soft) {
        }

        final void statements(List<Stmt> body, boolean soft) {
            for (Stmt stmt : body) {
                statement(stmt, soft);
            }
        }

        private void statement(Stmt stmt, boolean soft) {
            switch (stmt) {
                case Node.Text t -> { }
                case Node.Print p -> expr(p.expr(), soft);
                case Node.If i -> {
                    i.tests().forEach(test -> expr(test, true));
                    i.bodies().forEach(body -> statements(body, true));
                    statements(i.orElse(), true);
                }
                case Node.For f -> {
                    expr(f.iterable(), soft);
                    expr(f.filter(), false);
                    statements(f.body(), false);
                    statements(f.orElse(), false);
                }
                case Node.Set s -> expr(s.expr(), soft);
                case Node.SetBlock s -> {
                    expr(s.filter(), false);
                    statements(s.body(), false);
                }
                case Node.Macro m -> macro(m.def());
                case Node.CallBlock c -> {
                    expr(c.call(), soft);
                    macro(c.caller());
                }
                case Node.FilterBlock f -> {
                    expr(f.filter(), false);
                    statements(f.body(), false);
                }
                case Node.With w -> {
                    w.values().forEach(value -> expr(value, soft));
                    statements(w.body(), false);
                }
                case Node.Scoped s -> statements(s.body(), false);
                case Node.Break b -> { }
                case Node.Continue c -> { }
                case Node.Unsupported u -> { }
            }
        }

        private void macro(MacroDef def) {
            def.defaults().forEach(value -> expr(value, false));
            statements(def.body(), false);
        }

        private void args(Args args, boolean soft) {
            args.positional().forEach(arg -> expr(arg, soft));
            args.keywords().forEach(keyword -> expr(keyword.value(), soft));
            expr(args.star(), soft);
            expr(args.starStar(), soft);
        }

        private void expr(Expr expr, boolean soft) {
            if (expr == null) {
                return;
            }
            switch (expr) {
                case Node.Const c -> { }
                case Node.Name n -> name(n.name());
                case Node.ListLit l -> l.items().forEach(item -> expr(item, soft));
                case Node.TupleLit t -> t.items().forEach(item -> expr(item, soft));
                case Node.DictLit d -> {
                    d.keys().forEach(key -> expr(key, soft));
                    d.values().forEach(value -> expr(value, soft));
                }
                case Node.GetAttr g -> expr(g.object(), soft);
                case Node.GetItem g -> {
                    expr(g.object(), soft);
                    expr(g.key(), soft);
                }
                case Node.Slice s -> {
                    expr(s.start(), soft);
                    expr(s.stop(), soft);
                    expr(s.step(), soft);
                }
                case Node.Call c -> {
                    expr(c.callee(), soft);
                    args(c.args(), soft);
                }
                case Node.Filter f -> {
                    filter(f, soft);
                    expr(f.value(), soft);
                    args(f.args(), soft);
                }
                case Node.Test t -> {
                    test(t, soft);
                    expr(t.value(), soft);
                    args(t.args(), soft);
                }
                case Node.Unary u -> expr(u.operand(), soft);
                case Node.Binary b -> {
                    expr(b.left(), soft);
                    expr(b.right(), soft);
                }
                case Node.Concat c -> c.parts().forEach(part -> expr(part, soft));
                case Node.Compare c -> {
                    expr(c.first(), soft);
                    c.rest().forEach(operand -> expr(operand.expr(), soft));
                }
                case Node.CondExpr c -> {
                    expr(c.test(), true);
                    expr(c.then(), true);
                    expr(c.otherwise(), true);
                }
            }
        }
    }
}
