package dev.cerebrum.chat.jinja;

import java.util.List;

/** The syntax tree of a template: immutable, so one parsed template serves any number of renders. */
sealed interface Node {

    /** The 1-based source line, for error messages. */
    int line();

    // ---------------------------------------------------------------- expressions

    /** An expression. */
    sealed interface Expr extends Node {
    }

    /** A literal: string, number, boolean or None. */
    record Const(Object value, int line) implements Expr {
    }

    /** A variable reference. */
    record Name(String name, int line) implements Expr {
    }

    /** {@code [a, b]}. */
    record ListLit(List<Expr> items, int line) implements Expr {
    }

    /** {@code (a, b)} or a bare {@code a, b}. */
    record TupleLit(List<Expr> items, int line) implements Expr {
    }

    /** {@code {k: v}}. */
    record DictLit(List<Expr> keys, List<Expr> values, int line) implements Expr {
    }

    /** {@code obj.name}. */
    record GetAttr(Expr object, String attribute, int line) implements Expr {
    }

    /** {@code obj[key]}. */
    record GetItem(Expr object, Expr key, int line) implements Expr {
    }

    /** {@code start:stop:step} inside brackets; absent parts are null. */
    record Slice(Expr start, Expr stop, Expr step, int line) implements Expr {
    }

    /** A keyword argument. */
    record Keyword(String name, Expr value) {
    }

    /** Arguments of a call, filter or test; {@code star}/{@code starStar} are {@code *args}/{@code **kwargs}. */
    record Args(List<Expr> positional, List<Keyword> keywords, Expr star, Expr starStar) {
        static final Args NONE = new Args(List.of(), List.of(), null, null);
    }

    /** {@code f(args)}. */
    record Call(Expr callee, Args args, int line) implements Expr {
    }

    /** {@code value | name(args)}; {@code value} is null inside a filter block. */
    record Filter(Expr value, String name, Args args, int line, int column) implements Expr {
    }

    /** {@code value is name(args)}. */
    record Test(Expr value, String name, Args args, int line, int column) implements Expr {
    }

    /** {@code not}, unary {@code -} and {@code +}. */
    record Unary(Op op, Expr operand, int line) implements Expr {
    }

    /** Arithmetic and boolean operators. */
    record Binary(Op op, Expr left, Expr right, int line) implements Expr {
    }

    /** {@code a ~ b ~ c}. */
    record Concat(List<Expr> parts, int line) implements Expr {
    }

    /** One step of a comparison chain. */
    record Operand(Op op, Expr expr) {
    }

    /** {@code a < b <= c}, {@code a in b}, {@code a not in b}. */
    record Compare(Expr first, List<Operand> rest, int line) implements Expr {
    }

    /** {@code a if cond else b}; {@code otherwise} is null without an else. */
    record CondExpr(Expr test, Expr then, Expr otherwise, int line) implements Expr {
    }

    /** Operators. */
    enum Op {
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), FLOORDIV("//"), MOD("%"), POW("**"),
        AND("and"), OR("or"), NOT("not"), NEG("-"), POS("+"),
        EQ("=="), NE("!="), LT("<"), LTEQ("<="), GT(">"), GTEQ(">="), IN("in"), NOTIN("not in");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    // ---------------------------------------------------------------- assignment targets

    /** Where {@code set} and {@code for} store values. */
    sealed interface Target {
    }

    /** A plain name. */
    record NameTarget(String name) implements Target {
    }

    /** {@code a, b} unpacking. */
    record TupleTarget(List<Target> items) implements Target {
    }

    /** {@code ns.attr}, which only works on a namespace. */
    record NamespaceTarget(String name, String attribute, int line) implements Target {
    }

    // ---------------------------------------------------------------- statements

    /** A statement. */
    sealed interface Stmt extends Node {
    }

    /** Literal template text. */
    record Text(String text, int line) implements Stmt {
    }

    /** {@code {{ expr }}}. */
    record Print(Expr expr, int line) implements Stmt {
    }

    /** {@code if} / {@code elif} chain; {@code orElse} may be empty. */
    record If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> orElse, int line) implements Stmt {
    }

    /** {@code for target in iterable [if filter] [recursive]} with an optional {@code else}. */
    record For(Target target, Expr iterable, Expr filter, boolean recursive, List<Stmt> body, List<Stmt> orElse,
               int line) implements Stmt {
    }

    /** {@code set target = expr}. */
    record Set(Target target, Expr expr, int line) implements Stmt {
    }

    /** {@code set target [| filter]} ... {@code endset}. */
    record SetBlock(Target target, Filter filter, List<Stmt> body, int line) implements Stmt {
    }

    /** A macro signature and body, also used for the body of a call block. */
    record MacroDef(String name, List<String> params, List<Expr> defaults, List<Stmt> body,
                    boolean usesCaller, boolean usesVarargs, boolean usesKwargs, int line) {
    }

    /** {@code macro name(params)} ... {@code endmacro}. */
    record Macro(MacroDef def, int line) implements Stmt {
    }

    /** {@code call(params) expr} ... {@code endcall}; the body becomes {@code caller}. */
    record CallBlock(Call call, MacroDef caller, int line) implements Stmt {
    }

    /** {@code filter name} ... {@code endfilter}. */
    record FilterBlock(Filter filter, List<Stmt> body, int line) implements Stmt {
    }

    /** {@code with a = x} ... {@code endwith}. */
    record With(List<Target> targets, List<Expr> values, List<Stmt> body, int line) implements Stmt {
    }

    /** A body rendered in its own scope: {@code generation}, {@code block}, {@code autoescape}. */
    record Scoped(List<Stmt> body, int line) implements Stmt {
    }

    /** {@code break}. */
    record Break(int line) implements Stmt {
    }

    /** {@code continue}. */
    record Continue(int line) implements Stmt {
    }

    /** A tag jinja2 parses but that needs a template loader ({@code include}, {@code import}...): fails when run. */
    record Unsupported(String tag, int line) implements Stmt {
    }
}
