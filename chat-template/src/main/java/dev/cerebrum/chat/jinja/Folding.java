package dev.cerebrum.chat.jinja;

import dev.cerebrum.chat.jinja.Node.Args;
import dev.cerebrum.chat.jinja.Node.Expr;

import java.util.List;
import java.util.Set;

/**
 * jinja2 folds constant expressions while it compiles a template. Two effects of that are visible, and
 * the interpreter reproduces them: a folded slice of a constant goes through jinja2's lenient item lookup
 * (so an invalid slice gives undefined instead of an error), and a folded negative number written as the
 * base of {@code **} loses its parentheses in the generated Python ({@code -3 ** x} computes
 * {@code -(3 ** x)}).
 */
final class Folding {

    /** Filters that need the template context, which jinja2 never folds. */
    private static final Set<String> CONTEXT_FILTERS = Set.of("map", "select", "reject", "selectattr", "rejectattr");

    private Folding() {
    }

    /** Whether jinja2 could compute this expression while compiling (it has no variables and no calls). */
    static boolean isConstant(Expr expr) {
        return switch (expr) {
            case null -> true;
            case Node.Const c -> true;
            case Node.Name n -> false;
            case Node.Call c -> false;
            case Node.ListLit l -> all(l.items());
            case Node.TupleLit t -> all(t.items());
            case Node.DictLit d -> all(d.keys()) && all(d.values());
            case Node.GetAttr g -> isConstant(g.object());
            case Node.GetItem g -> isConstant(g.object()) && isConstant(g.key());
            case Node.Slice s -> isConstant(s.start()) && isConstant(s.stop()) && isConstant(s.step());
            case Node.Filter f -> f.value() != null && Filters.isKnown(f.name()) && !CONTEXT_FILTERS.contains(f.name())
                    && isConstant(f.value()) && isConstant(f.args());
            case Node.Test t -> Tests.isKnown(t.name()) && isConstant(t.value()) && isConstant(t.args());
            case Node.Unary u -> isConstant(u.operand());
            case Node.Binary b -> isConstant(b.left()) && isConstant(b.right());
            case Node.Concat c -> all(c.parts());
            case Node.Compare c -> isConstant(c.first()) && c.rest().stream().allMatch(o -> isConstant(o.expr()));
            case Node.CondExpr c -> isConstant(c.test()) && isConstant(c.then()) && isConstant(c.otherwise());
        };
    }

    private static boolean isConstant(Args args) {
        return all(args.positional()) && args.keywords().stream().allMatch(k -> isConstant(k.value()))
                && args.star() == null && args.starStar() == null;
    }

    private static boolean all(List<Expr> items) {
        return items.stream().allMatch(Folding::isConstant);
    }

    /** True when jinja2 would print the folded base of {@code base ** exponent} as a bare negative literal. */
    static boolean losesParentheses(Node.Binary pow, Object base) {
        return PyNum.isNumber(base) && Py.str(PyNum.pos(base)).startsWith("-")
                && isConstant(pow.left()) && !isConstant(pow.right());
    }
}
