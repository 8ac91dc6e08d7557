package dev.cerebrum.chat.jinja;

import dev.cerebrum.chat.jinja.Node.Args;
import dev.cerebrum.chat.jinja.Node.Call;
import dev.cerebrum.chat.jinja.Node.Compare;
import dev.cerebrum.chat.jinja.Node.CondExpr;
import dev.cerebrum.chat.jinja.Node.Const;
import dev.cerebrum.chat.jinja.Node.Expr;
import dev.cerebrum.chat.jinja.Node.Filter;
import dev.cerebrum.chat.jinja.Node.Keyword;
import dev.cerebrum.chat.jinja.Node.MacroDef;
import dev.cerebrum.chat.jinja.Node.Name;
import dev.cerebrum.chat.jinja.Node.Op;
import dev.cerebrum.chat.jinja.Node.Operand;
import dev.cerebrum.chat.jinja.Node.Stmt;
import dev.cerebrum.chat.jinja.Node.Target;
import dev.cerebrum.chat.jinja.Token.Kind;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A recursive-descent parser that follows jinja2's {@code parser.py} rule for rule, precedence included. */
final class Parser {

    /** Nesting deeper than this is refused, so a hostile template cannot exhaust the parser's stack. */
    static final int MAX_NESTING = 200;

    private final List<Token> tokens;
    private int index;
    private int nesting;
    private int loopDepth;
    private final List<String> tagStack = new ArrayList<>();

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** Parses and checks a whole template. */
    static List<Stmt> parse(String source) {
        Parser parser = new Parser(Lexer.tokenize(source));
        List<Stmt> body = parser.subparse(null);
        Validator.check(body);
        return body;
    }

    // ---------------------------------------------------------------- token stream

    private Token current() {
        return tokens.get(index);
    }

    private Token look() {
        return tokens.get(Math.min(index + 1, tokens.size() - 1));
    }

    private Token next() {
        Token token = tokens.get(index);
        if (index < tokens.size() - 1) {
            index++;
        }
        return token;
    }

    private boolean skipIf(Kind kind) {
        if (current().kind() == kind) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipIfName(String name) {
        if (current().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    private Token expect(Kind kind) {
        Token token = current();
        if (token.kind() != kind) {
            if (token.kind() == Kind.EOF) {
                throw fail("unexpected end of template, expected '" + describe(kind) + "'", token);
            }
            throw fail("expected token '" + describe(kind) + "', got '" + token.describe() + "'", token);
        }
        return next();
    }

    private void expectName(String name) {
        Token token = current();
        if (!token.isName(name)) {
            throw fail("expected token '" + name + "', got '" + token.describe() + "'", token);
        }
        next();
    }

    private static String describe(Kind kind) {
        return switch (kind) {
            case BLOCK_END -> "end of statement block";
            case VARIABLE_END -> "end of print statement";
            case NAME -> "name";
            case RPAREN -> ")";
            case RBRACKET -> "]";
            case RBRACE -> "}";
            case COLON -> ":";
            case COMMA -> ",";
            case ASSIGN -> "=";
            case LPAREN -> "(";
            default -> kind.name().toLowerCase();
        };
    }

    private static JinjaSyntaxError fail(String problem, Token at) {
        return new JinjaSyntaxError(problem, at.line(), at.column());
    }

    private void enter() {
        if (++nesting > MAX_NESTING) {
            throw fail("the template nests deeper than " + MAX_NESTING + " levels", current());
        }
    }

    private void leave() {
        nesting--;
    }

    // ---------------------------------------------------------------- statements

    private List<Stmt> subparse(Set<String> endTokens) {
        List<Stmt> body = new ArrayList<>();
        while (current().kind() != Kind.EOF) {
            Token token = current();
            switch (token.kind()) {
                case DATA -> {
                    body.add(new Node.Text((String) token.value(), token.line()));
                    next();
                }
                case VARIABLE_BEGIN -> {
                    next();
                    body.add(new Node.Print(parseTuple(false, true, null, false), token.line()));
                    expect(Kind.VARIABLE_END);
                }
                case BLOCK_BEGIN -> {
                    next();
                    if (endTokens != null && current().kind() == Kind.NAME && endTokens.contains((String) current().value())) {
                        return body;
                    }
                    body.addAll(parseStatement());
                    expect(Kind.BLOCK_END);
                }
                default -> throw fail("unexpected '" + token.describe() + "'", token);
            }
        }
        return body;
    }

    private List<Stmt> parseStatements(Set<String> endTokens, boolean dropNeedle) {
        skipIf(Kind.COLON);
        expect(Kind.BLOCK_END);
        List<Stmt> body = subparse(endTokens);
        if (current().kind() == Kind.EOF) {
            throw fail("Unexpected end of template. Jinja was looking for the following tags: "
                    + String.join(" or ", endTokens.stream().sorted().map(t -> "'" + t + "'").toList())
                    + (tagStack.isEmpty() ? "." : ". The innermost block that needs to be closed is '"
                    + tagStack.get(tagStack.size() - 1) + "'."), current());
        }
        if (dropNeedle) {
            next();
        }
        return body;
    }

    private List<Stmt> parseStatement() {
        Token token = current();
        if (token.kind() != Kind.NAME) {
            throw fail("tag name expected", token);
        }
        String tag = (String) token.value();
        enter();
        tagStack.add(tag);
        try {
            return switch (tag) {
                case "for" -> List.of(parseFor());
                case "if" -> List.of(parseIf());
                case "set" -> List.of(parseSet());
                case "macro" -> List.of(parseMacro());
                case "call" -> List.of(parseCallBlock());
                case "filter" -> List.of(parseFilterBlock());
                case "with" -> List.of(parseWith());
                case "print" -> parsePrint();
                case "block" -> List.of(parseBlock());
                case "autoescape" -> List.of(parseAutoescape());
                case "generation" -> List.of(parseGeneration());
                case "break", "continue" -> List.of(parseLoopControl(tag));
                case "extends", "include", "import", "from" -> List.of(parseUnsupported(tag));
                default -> throw fail("Encountered unknown tag '" + tag + "'.", token);
            };
        } finally {
            tagStack.remove(tagStack.size() - 1);
            leave();
        }
    }

    private Stmt parseFor() {
        int line = next().line();
        Target target = parseAssignTarget(true, false, Set.of("in"), false);
        expectName("in");
        Expr iterable = parseTuple(false, false, Set.of("recursive"), false);
        Expr filter = skipIfName("if") ? parseExpression(true) : null;
        boolean recursive = skipIfName("recursive");
        loopDepth++;
        List<Stmt> body;
        try {
            body = parseStatements(Set.of("endfor", "else"), false);
        } finally {
            loopDepth--;
        }
        List<Stmt> orElse = List.of();
        if (!next().isName("endfor")) {
            orElse = parseStatements(Set.of("endfor"), true);
        }
        return new Node.For(target, iterable, filter, recursive, body, orElse, line);
    }

    private Stmt parseIf() {
        int line = next().line();
        List<Expr> tests = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> orElse = List.of();
        while (true) {
            tests.add(parseTuple(false, false, null, false));
            bodies.add(parseStatements(Set.of("elif", "else", "endif"), false));
            Token token = next();
            if (token.isName("elif")) {
                continue;
            }
            if (token.isName("else")) {
                orElse = parseStatements(Set.of("endif"), true);
            }
            break;
        }
        return new Node.If(tests, bodies, orElse, line);
    }

    private Stmt parseSet() {
        int line = next().line();
        Target target = parseAssignTarget(true, false, null, true);
        if (skipIf(Kind.ASSIGN)) {
            return new Node.Set(target, parseTuple(false, true, null, false), line);
        }
        Filter filter = current().kind() == Kind.PIPE ? (Filter) parseFilter(null, false) : null;
        List<Stmt> body = withoutLoop(() -> parseStatements(Set.of("endset"), true));
        return new Node.SetBlock(target, filter, body, line);
    }

    private Stmt parseMacro() {
        int line = next().line();
        String name = (String) expect(Kind.NAME).value();
        return new Node.Macro(parseMacroDef(name, Set.of("endmacro"), line), line);
    }

    private MacroDef parseMacroDef(String name, Set<String> end, int line) {
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (name != null || current().kind() == Kind.LPAREN) {
            parseSignature(params, defaults);
        }
        return finishMacroDef(name, params, defaults, end, line);
    }

    private MacroDef finishMacroDef(String name, List<String> params, List<Expr> defaults, Set<String> end, int line) {
        List<Stmt> body = withoutLoop(() -> parseStatements(end, true));
        java.util.Set<String> used = new java.util.HashSet<>();
        Validator.loadedNames(body, used);
        return new MacroDef(name, List.copyOf(params), List.copyOf(defaults), body,
                used.contains("caller"), used.contains("varargs"), used.contains("kwargs"), line);
    }

    private void parseSignature(List<String> params, List<Expr> defaults) {
        expect(Kind.LPAREN);
        while (current().kind() != Kind.RPAREN) {
            if (!params.isEmpty()) {
                expect(Kind.COMMA);
            }
            String param = (String) expect(Kind.NAME).value();
            if (skipIf(Kind.ASSIGN)) {
                defaults.add(parseExpression(true));
            } else if (!defaults.isEmpty()) {
                throw fail("non-default argument follows default argument", current());
            }
            params.add(param);
        }
        expect(Kind.RPAREN);
    }

    private Stmt parseCallBlock() {
        int line = next().line();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (current().kind() == Kind.LPAREN) {
            parseSignature(params, defaults);
        }
        Token at = current();
        Expr call = parseExpression(true);
        if (!(call instanceof Call c)) {
            throw fail("expected call", at);
        }
        return new Node.CallBlock(c, finishMacroDef(null, params, defaults, Set.of("endcall"), line), line);
    }

    private Stmt parseFilterBlock() {
        int line = next().line();
        Filter filter = (Filter) parseFilter(null, true);
        List<Stmt> body = withoutLoop(() -> parseStatements(Set.of("endfilter"), true));
        return new Node.FilterBlock(filter, body, line);
    }

    private Stmt parseWith() {
        int line = next().line();
        List<Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (current().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expect(Kind.COMMA);
            }
            targets.add(parseAssignTarget(true, false, null, false));
            expect(Kind.ASSIGN);
            values.add(parseExpression(true));
        }
        return new Node.With(targets, values, parseStatements(Set.of("endwith"), true), line);
    }

    private List<Stmt> parsePrint() {
        int line = next().line();
        List<Stmt> prints = new ArrayList<>();
        while (current().kind() != Kind.BLOCK_END) {
            if (!prints.isEmpty()) {
                expect(Kind.COMMA);
            }
            prints.add(new Node.Print(parseExpression(true), line));
        }
        return prints;
    }

    private Stmt parseBlock() {
        int line = next().line();
        String name = (String) expect(Kind.NAME).value();
        skipIfName("scoped");
        skipIfName("required");
        if (current().kind() == Kind.SUB) {
            throw fail("Block names in Jinja have to be valid Python identifiers and may not contain hyphens,"
                    + " use an underscore instead.", current());
        }
        List<Stmt> body = withoutLoop(() -> parseStatements(Set.of("endblock"), true));
        skipIfName(name);
        return new Node.Scoped(body, line);
    }

    private Stmt parseAutoescape() {
        int line = next().line();
        parseExpression(true);
        return new Node.Scoped(parseStatements(Set.of("endautoescape"), true), line);
    }

    /** Hugging Face's {@code {% generation %}} tag: a call block whose body renders unchanged. */
    private Stmt parseGeneration() {
        int line = next().line();
        return new Node.Scoped(withoutLoop(() -> parseStatements(Set.of("endgeneration"), true)), line);
    }

    private Stmt parseLoopControl(String tag) {
        Token token = next();
        if (loopDepth == 0) {
            throw fail("'" + tag + "' outside loop", token);
        }
        return tag.equals("break") ? new Node.Break(token.line()) : new Node.Continue(token.line());
    }

    private Stmt parseUnsupported(String tag) {
        int line = next().line();
        while (current().kind() != Kind.BLOCK_END && current().kind() != Kind.EOF) {
            next();
        }
        return new Node.Unsupported(tag, line);
    }

    private List<Stmt> withoutLoop(java.util.function.Supplier<List<Stmt>> body) {
        int saved = loopDepth;
        loopDepth = 0;
        try {
            return body.get();
        } finally {
            loopDepth = saved;
        }
    }

    private Target parseAssignTarget(boolean withTuple, boolean nameOnly, Set<String> extraEnd, boolean withNamespace) {
        if (withNamespace && look().kind() == Kind.DOT) {
            Token name = expect(Kind.NAME);
            next();
            Token attribute = expect(Kind.NAME);
            return new Node.NamespaceTarget((String) name.value(), (String) attribute.value(), name.line());
        }
        if (nameOnly) {
            return new Node.NameTarget((String) expect(Kind.NAME).value());
        }
        Token at = current();
        Expr expr = withTuple ? parseTuple(true, true, extraEnd, false) : parsePrimary();
        return toTarget(expr, at);
    }

    private static Target toTarget(Expr expr, Token at) {
        if (expr instanceof Name name) {
            return new Node.NameTarget(name.name());
        }
        if (expr instanceof Node.TupleLit tuple) {
            List<Target> items = new ArrayList<>();
            for (Expr item : tuple.items()) {
                items.add(toTarget(item, at));
            }
            return new Node.TupleTarget(items);
        }
        String kind = expr.getClass().getSimpleName().toLowerCase();
        throw fail("can't assign to '" + (expr instanceof Const ? "const" : kind) + "'", at);
    }

    // ---------------------------------------------------------------- expressions

    private Expr parseExpression(boolean withCondexpr) {
        return withCondexpr ? parseCondexpr() : parseOr();
    }

    private Expr parseCondexpr() {
        enter();
        try {
            int line = current().line();
            Expr expr1 = parseOr();
            while (skipIfName("if")) {
                Expr expr2 = parseOr();
                Expr expr3 = skipIfName("else") ? parseCondexpr() : null;
                expr1 = new CondExpr(expr2, expr1, expr3, line);
                line = current().line();
            }
            return expr1;
        } finally {
            leave();
        }
    }

    private Expr parseOr() {
        int line = current().line();
        Expr left = parseAnd();
        while (skipIfName("or")) {
            left = new Node.Binary(Op.OR, left, parseAnd(), line);
            line = current().line();
        }
        return left;
    }

    private Expr parseAnd() {
        int line = current().line();
        Expr left = parseNot();
        while (skipIfName("and")) {
            left = new Node.Binary(Op.AND, left, parseNot(), line);
            line = current().line();
        }
        return left;
    }

    private Expr parseNot() {
        if (current().isName("not")) {
            int line = next().line();
            enter();
            try {
                return new Node.Unary(Op.NOT, parseNot(), line);
            } finally {
                leave();
            }
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = current().line();
        Expr expr = parseMath1();
        List<Operand> ops = new ArrayList<>();
        while (true) {
            Kind kind = current().kind();
            Op op = switch (kind) {
                case EQ -> Op.EQ;
                case NE -> Op.NE;
                case LT -> Op.LT;
                case LTEQ -> Op.LTEQ;
                case GT -> Op.GT;
                case GTEQ -> Op.GTEQ;
                default -> null;
            };
            if (op != null) {
                next();
                ops.add(new Operand(op, parseMath1()));
            } else if (skipIfName("in")) {
                ops.add(new Operand(Op.IN, parseMath1()));
            } else if (current().isName("not") && look().isName("in")) {
                next();
                next();
                ops.add(new Operand(Op.NOTIN, parseMath1()));
            } else {
                break;
            }
        }
        return ops.isEmpty() ? expr : new Compare(expr, ops, line);
    }

    private Expr parseMath1() {
        int line = current().line();
        Expr left = parseConcat();
        while (current().kind() == Kind.ADD || current().kind() == Kind.SUB) {
            Op op = next().kind() == Kind.ADD ? Op.ADD : Op.SUB;
            left = new Node.Binary(op, left, parseConcat(), line);
            line = current().line();
        }
        return left;
    }

    private Expr parseConcat() {
        int line = current().line();
        List<Expr> parts = new ArrayList<>();
        parts.add(parseMath2());
        while (skipIf(Kind.TILDE)) {
            parts.add(parseMath2());
        }
        return parts.size() == 1 ? parts.get(0) : new Node.Concat(parts, line);
    }

    private Expr parseMath2() {
        int line = current().line();
        Expr left = parsePow();
        while (true) {
            Op op = switch (current().kind()) {
                case MUL -> Op.MUL;
                case DIV -> Op.DIV;
                case FLOORDIV -> Op.FLOORDIV;
                case MOD -> Op.MOD;
                default -> null;
            };
            if (op == null) {
                return left;
            }
            next();
            left = new Node.Binary(op, left, parsePow(), line);
            line = current().line();
        }
    }

    private Expr parsePow() {
        int line = current().line();
        Expr left = parseUnary(true);
        while (skipIf(Kind.POW)) {
            left = new Node.Binary(Op.POW, left, parseUnary(true), line);
            line = current().line();
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        enter();
        try {
            Token token = current();
            Expr node;
            if (token.kind() == Kind.SUB) {
                next();
                node = new Node.Unary(Op.NEG, parseUnary(false), token.line());
            } else if (token.kind() == Kind.ADD) {
                next();
                node = new Node.Unary(Op.POS, parseUnary(false), token.line());
            } else {
                node = parsePrimary();
            }
            node = parsePostfix(node);
            if (withFilter) {
                node = parseFilterExpr(node);
            }
            return node;
        } finally {
            leave();
        }
    }

    private Expr parsePrimary() {
        Token token = current();
        switch (token.kind()) {
            case NAME -> {
                next();
                String name = (String) token.value();
                return switch (name) {
                    case "true", "True" -> new Const(Boolean.TRUE, token.line());
                    case "false", "False" -> new Const(Boolean.FALSE, token.line());
                    case "none", "None" -> new Const(null, token.line());
                    default -> new Name(name, token.line());
                };
            }
            case STRING -> {
                next();
                StringBuilder text = new StringBuilder((String) token.value());
                while (current().kind() == Kind.STRING) {
                    text.append((String) next().value());
                }
                return new Const(text.toString(), token.line());
            }
            case INTEGER, FLOAT -> {
                next();
                return new Const(token.value(), token.line());
            }
            case LPAREN -> {
                next();
                enter();
                try {
                    Expr inner = parseTuple(false, true, null, true);
                    expect(Kind.RPAREN);
                    return inner;
                } finally {
                    leave();
                }
            }
            case LBRACKET -> {
                return parseList();
            }
            case LBRACE -> {
                return parseDict();
            }
            default -> throw fail("unexpected '" + token.describe() + "'", token);
        }
    }

    private Expr parseTuple(boolean simplified, boolean withCondexpr, Set<String> extraEnd, boolean explicitParentheses) {
        int line = current().line();
        List<Expr> args = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!args.isEmpty()) {
                expect(Kind.COMMA);
            }
            if (isTupleEnd(extraEnd)) {
                break;
            }
            args.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
            if (current().kind() == Kind.COMMA) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!args.isEmpty()) {
                return args.get(0);
            }
            if (!explicitParentheses) {
                throw fail("Expected an expression, got '" + current().describe() + "'", current());
            }
        }
        return new Node.TupleLit(List.copyOf(args), line);
    }

    private boolean isTupleEnd(Set<String> extraEnd) {
        Token token = current();
        Kind kind = token.kind();
        if (kind == Kind.VARIABLE_END || kind == Kind.BLOCK_END || kind == Kind.RPAREN) {
            return true;
        }
        return extraEnd != null && kind == Kind.NAME && extraEnd.contains((String) token.value());
    }

    private Expr parseList() {
        Token token = expect(Kind.LBRACKET);
        enter();
        try {
            List<Expr> items = new ArrayList<>();
            while (current().kind() != Kind.RBRACKET) {
                if (!items.isEmpty()) {
                    expect(Kind.COMMA);
                }
                if (current().kind() == Kind.RBRACKET) {
                    break;
                }
                items.add(parseExpression(true));
            }
            expect(Kind.RBRACKET);
            return new Node.ListLit(List.copyOf(items), token.line());
        } finally {
            leave();
        }
    }

    private Expr parseDict() {
        Token token = expect(Kind.LBRACE);
        enter();
        try {
            List<Expr> keys = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            while (current().kind() != Kind.RBRACE) {
                if (!keys.isEmpty()) {
                    expect(Kind.COMMA);
                }
                if (current().kind() == Kind.RBRACE) {
                    break;
                }
                keys.add(parseExpression(true));
                expect(Kind.COLON);
                values.add(parseExpression(true));
            }
            expect(Kind.RBRACE);
            return new Node.DictLit(List.copyOf(keys), List.copyOf(values), token.line());
        } finally {
            leave();
        }
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            Kind kind = current().kind();
            if (kind == Kind.DOT || kind == Kind.LBRACKET) {
                node = parseSubscript(node);
            } else if (kind == Kind.LPAREN) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    private Expr parseFilterExpr(Expr node) {
        while (true) {
            Token token = current();
            if (token.kind() == Kind.PIPE) {
                node = parseFilter(node, false);
            } else if (token.isName("is")) {
                node = parseTest(node);
            } else if (token.kind() == Kind.LPAREN) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    private Expr parseSubscript(Expr node) {
        Token token = next();
        if (token.kind() == Kind.DOT) {
            Token attribute = next();
            if (attribute.kind() == Kind.NAME) {
                return new Node.GetAttr(node, (String) attribute.value(), token.line());
            }
            if (attribute.kind() != Kind.INTEGER) {
                throw fail("expected name or number", attribute);
            }
            return new Node.GetItem(node, new Const(attribute.value(), attribute.line()), token.line());
        }
        enter();
        try {
            List<Expr> args = new ArrayList<>();
            while (current().kind() != Kind.RBRACKET) {
                if (!args.isEmpty()) {
                    expect(Kind.COMMA);
                }
                args.add(parseSubscribed());
            }
            expect(Kind.RBRACKET);
            Expr key = args.size() == 1 ? args.get(0) : new Node.TupleLit(List.copyOf(args), token.line());
            return new Node.GetItem(node, key, token.line());
        } finally {
            leave();
        }
    }

    private Expr parseSubscribed() {
        int line = current().line();
        Expr start = null;
        if (current().kind() == Kind.COLON) {
            next();
        } else {
            Expr node = parseExpression(true);
            if (current().kind() != Kind.COLON) {
                return node;
            }
            next();
            start = node;
        }
        Expr stop = null;
        if (current().kind() != Kind.COLON && current().kind() != Kind.RBRACKET && current().kind() != Kind.COMMA) {
            stop = parseExpression(true);
        }
        Expr step = null;
        if (current().kind() == Kind.COLON) {
            next();
            if (current().kind() != Kind.RBRACKET && current().kind() != Kind.COMMA) {
                step = parseExpression(true);
            }
        }
        return new Node.Slice(start, stop, step, line);
    }

    private Args parseCallArgs() {
        Token open = expect(Kind.LPAREN);
        List<Expr> args = new ArrayList<>();
        List<Keyword> kwargs = new ArrayList<>();
        Expr star = null;
        Expr starStar = null;
        boolean requireComma = false;
        while (current().kind() != Kind.RPAREN) {
            if (requireComma) {
                expect(Kind.COMMA);
                if (current().kind() == Kind.RPAREN) {
                    break;
                }
            }
            if (current().kind() == Kind.MUL) {
                ensure(star == null && starStar == null, open);
                next();
                star = parseExpression(true);
            } else if (current().kind() == Kind.POW) {
                ensure(starStar == null, open);
                next();
                starStar = parseExpression(true);
            } else if (current().kind() == Kind.NAME && look().kind() == Kind.ASSIGN) {
                ensure(starStar == null, open);
                String key = (String) next().value();
                next();
                kwargs.add(new Keyword(key, parseExpression(true)));
            } else {
                ensure(star == null && starStar == null && kwargs.isEmpty(), open);
                args.add(parseExpression(true));
            }
            requireComma = true;
        }
        expect(Kind.RPAREN);
        return new Args(List.copyOf(args), List.copyOf(kwargs), star, starStar);
    }

    private static void ensure(boolean condition, Token at) {
        if (!condition) {
            throw fail("invalid syntax for function call expression", at);
        }
    }

    private Expr parseCall(Expr node) {
        int line = current().line();
        return new Call(node, parseCallArgs(), line);
    }

    private Expr parseFilter(Expr node, boolean startInline) {
        while (current().kind() == Kind.PIPE || startInline) {
            if (!startInline) {
                next();
            }
            Token token = expect(Kind.NAME);
            StringBuilder name = new StringBuilder((String) token.value());
            while (current().kind() == Kind.DOT) {
                next();
                name.append('.').append((String) expect(Kind.NAME).value());
            }
            Args args = current().kind() == Kind.LPAREN ? parseCallArgs() : Args.NONE;
            node = new Filter(node, name.toString(), args, token.line(), token.column());
            startInline = false;
        }
        return node;
    }

    private Expr parseTest(Expr node) {
        Token token = next();
        boolean negated = skipIfName("not");
        Token nameToken = expect(Kind.NAME);
        StringBuilder name = new StringBuilder((String) nameToken.value());
        while (current().kind() == Kind.DOT) {
            next();
            name.append('.').append((String) expect(Kind.NAME).value());
        }
        Args args = Args.NONE;
        Token arg = current();
        if (arg.kind() == Kind.LPAREN) {
            args = parseCallArgs();
        } else if (Set.of(Kind.NAME, Kind.STRING, Kind.INTEGER, Kind.FLOAT, Kind.LPAREN, Kind.LBRACKET, Kind.LBRACE)
                .contains(arg.kind()) && !arg.isName("else") && !arg.isName("or") && !arg.isName("and")) {
            if (arg.isName("is")) {
                throw fail("You cannot chain multiple tests with is", arg);
            }
            args = new Args(List.of(parsePostfix(parsePrimary())), List.of(), null, null);
        }
        Expr test = new Node.Test(node, name.toString(), args, token.line(), nameToken.column());
        return negated ? new Node.Unary(Op.NOT, test, token.line()) : test;
    }
}
