package dev.cerebrum.grammar;

import dev.cerebrum.grammar.Expression.AnyChar;
import dev.cerebrum.grammar.Expression.CharClass;
import dev.cerebrum.grammar.Expression.Group;
import dev.cerebrum.grammar.Expression.Literal;
import dev.cerebrum.grammar.Expression.Repeat;
import dev.cerebrum.grammar.Expression.RuleRef;
import dev.cerebrum.grammar.GrammarException.Problem;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.cerebrum.grammar.GbnfParser.add;
import static dev.cerebrum.grammar.GbnfParser.mul;

/**
 * What llama.cpp's grammar engine will do with a parsed grammar, decided before it gets there.
 * <ul>
 *   <li><b>Left recursion</b>, with real nullability: llama.cpp's own check only knows rules with a
 *       literally empty alternative, so {@code ("a"*)*} passes it and then recurses without end in
 *       b4916's {@code llama_grammar_advance_stack} (SIGSEGV).</li>
 *   <li><b>Explored paths</b>: b4916's {@code advance_stack} follows every way to skip empty parts,
 *       without memory: {@code x x x ... "b"} with {@code x ::= | } explores 2^n paths per step. Counted
 *       per rule and per suffix of a sequence, with the multiplicity of empty matches.</li>
 *   <li><b>Empty chain</b>: how many rule references b4916's recursive {@code advance_stack} can follow
 *       without consuming a character, one native stack frame each.</li>
 * </ul>
 * Everything here is iterative over rules, so a hostile grammar cannot overflow the Java stack either.
 */
final class GrammarAnalysis {
    private static final long NOT_NULLABLE = -1;

    private final Map<String, Rule> rules = new LinkedHashMap<>();
    private final Set<String> nullable = new HashSet<>();
    /** Per rule: paths explored from its start, empty derivations, chain depth and empty-chain length. */
    private final Map<String, Eval> evals = new HashMap<>();
    private long maxExplored;
    private long maxChain;

    private GrammarAnalysis(List<Rule> ruleList) {
        for (Rule r : ruleList) {
            rules.put(r.name(), r);
        }
    }

    /** Checks the grammar and returns its explored paths and empty chain, refusing left recursion. */
    static long[] analyse(List<Rule> ruleList) {
        GrammarAnalysis analysis = new GrammarAnalysis(ruleList);
        analysis.computeNullable();
        analysis.checkRepeatedEmpty();
        analysis.checkLeftRecursion();
        List<String> reachable = analysis.reachableFromRoot();
        analysis.evaluateLeftmost(reachable);
        return new long[] {analysis.maxExplored, analysis.maxChain};
    }

    // ---- nullability -------------------------------------------------------------------------------

    private void computeNullable() {
        Map<String, List<String>> referencedBy = new HashMap<>();
        for (Rule r : rules.values()) {
            for (String target : refs(r.body(), false)) {
                referencedBy.computeIfAbsent(target, k -> new ArrayList<>()).add(r.name());
            }
        }
        ArrayDeque<String> work = new ArrayDeque<>(rules.keySet());
        while (!work.isEmpty()) {
            String name = work.poll();
            if (!nullable.contains(name) && nullable(rules.get(name).body())) {
                nullable.add(name);
                work.addAll(referencedBy.getOrDefault(name, List.of()));
            }
        }
    }

    private boolean nullable(Alternatives alts) {
        for (Sequence s : alts.choices()) {
            if (nullable(s)) {
                return true;
            }
        }
        return false;
    }

    private boolean nullable(Sequence s) {
        for (Expression e : s.items()) {
            if (!nullable(e)) {
                return false;
            }
        }
        return true;
    }

    private boolean nullable(Expression e) {
        return switch (e) {
            case Literal l -> l.text().isEmpty();
            case CharClass c -> false;
            case AnyChar a -> false;
            case RuleRef r -> nullable.contains(r.name());
            case Group g -> nullable(g.body());
            case Repeat r -> r.min() == 0 || nullable(r.item());
        };
    }

    /** Rule names referenced in {@code alts}: all of them, or only those at a left position. */
    private Set<String> refs(Alternatives alts, boolean leftOnly) {
        Set<String> out = new LinkedHashSet<>();
        for (Sequence s : alts.choices()) {
            collectRefs(s, leftOnly, out);
        }
        return out;
    }

    private void collectRefs(Sequence s, boolean leftOnly, Set<String> out) {
        for (Expression e : s.items()) {
            collectRefs(e, leftOnly, out);
            if (leftOnly && !nullable(e)) {
                return;
            }
        }
    }

    private void collectRefs(Expression e, boolean leftOnly, Set<String> out) {
        switch (e) {
            case RuleRef r -> out.add(r.name());
            case Group g -> {
                for (Sequence s : g.body().choices()) {
                    collectRefs(s, leftOnly, out);
                }
            }
            case Repeat r -> {
                if (r.max() != 0) {
                    collectRefs(r.item(), leftOnly, out);
                }
            }
            default -> {
            }
        }
    }

    // ---- left recursion --------------------------------------------------------------------------

    /** {@code x*} or {@code x+} of an {@code x} that can be empty loops inside the generated rule. */
    private void checkRepeatedEmpty() {
        for (Rule r : rules.values()) {
            forEachExpression(r.body(), e -> {
                if (e instanceof Repeat rep && rep.max() == Expression.UNBOUNDED && nullable(rep.item())) {
                    throw new GrammarException(Problem.LEFT_RECURSION, rep.position().line(),
                            rep.position().column(), "unbounded repetition of something that can match the"
                            + " empty string (in rule '" + r.name() + "'); llama.cpp would loop without"
                            + " consuming input");
                }
            });
        }
    }

    private static void forEachExpression(Alternatives alts, java.util.function.Consumer<Expression> action) {
        ArrayDeque<Expression> todo = new ArrayDeque<>();
        for (Sequence s : alts.choices()) {
            todo.addAll(s.items());
        }
        while (!todo.isEmpty()) {
            Expression e = todo.pop();
            action.accept(e);
            if (e instanceof Group g) {
                for (Sequence s : g.body().choices()) {
                    todo.addAll(s.items());
                }
            } else if (e instanceof Repeat rep) {
                todo.push(rep.item());
            }
        }
    }

    /** A rule that reaches itself through left positions (everything before it can be empty). */
    private void checkLeftRecursion() {
        Map<String, List<String>> left = new HashMap<>();
        for (Rule r : rules.values()) {
            left.put(r.name(), new ArrayList<>(refs(r.body(), true)));
        }
        Map<String, Integer> state = new HashMap<>(); // 1 on the path, 2 done
        for (String start : rules.keySet()) {
            if (state.containsKey(start)) {
                continue;
            }
            ArrayDeque<String> path = new ArrayDeque<>();
            ArrayDeque<Integer> nextChild = new ArrayDeque<>();
            path.push(start);
            nextChild.push(0);
            state.put(start, 1);
            while (!path.isEmpty()) {
                String node = path.peek();
                int i = nextChild.pop();
                List<String> children = left.get(node);
                if (i < children.size()) {
                    nextChild.push(i + 1);
                    String child = children.get(i);
                    Integer s = state.get(child);
                    if (s == null) {
                        state.put(child, 1);
                        path.push(child);
                        nextChild.push(0);
                    } else if (s == 1) {
                        throw leftRecursion(path, child);
                    }
                } else {
                    state.put(node, 2);
                    path.pop();
                }
            }
        }
    }

    private GrammarException leftRecursion(ArrayDeque<String> path, String repeated) {
        List<String> cycle = new ArrayList<>();
        for (var it = path.descendingIterator(); it.hasNext(); ) {
            String n = it.next();
            if (!cycle.isEmpty() || n.equals(repeated)) {
                cycle.add(n);
            }
        }
        cycle.add(repeated);
        Rule rule = rules.get(repeated);
        String chain = String.join(" -> ", cycle);
        if (chain.length() > 120) {
            chain = chain.substring(0, 117) + "...";
        }
        return new GrammarException(Problem.LEFT_RECURSION, rule.position().line(), rule.position().column(),
                "rule '" + repeated + "' is left-recursive (" + chain + ") without consuming input;"
                        + " llama.cpp cannot handle that");
    }

    // ---- reachability ----------------------------------------------------------------------------

    private List<String> reachableFromRoot() {
        List<String> order = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>();
        todo.add("root");
        seen.add("root");
        while (!todo.isEmpty()) {
            String name = todo.poll();
            order.add(name);
            for (String target : refs(rules.get(name).body(), false)) {
                if (seen.add(target)) {
                    todo.add(target);
                }
            }
        }
        return order;
    }

    // ---- paths explored, empty derivations and chains (over left positions, which form a DAG) ---

    /**
     * Per expression, as llama.cpp expands it into rules: {@code explored} stacks reached from its start
     * without consuming input, {@code empties} ways to match it empty, {@code chain} references followed
     * from its start, and {@code emptyChain} references followed to match it empty (or -1).
     */
    private record Eval(long explored, long empties, long chain, long emptyChain) {
        static final Eval EMPTY = new Eval(0, 1, 0, 0);
        static final Eval CHAR = new Eval(1, 0, 0, NOT_NULLABLE);

        /** The same expression as a rule that is referenced: one more reference to follow. */
        Eval asReference() {
            return new Eval(explored, empties, add(chain, 1), emptyChain == NOT_NULLABLE ? NOT_NULLABLE
                    : add(emptyChain, 1));
        }
    }

    /** Evaluates every reachable rule, callees first along left positions, so that no step recurses. */
    private void evaluateLeftmost(List<String> reachable) {
        Map<String, List<String>> left = new HashMap<>();
        for (String name : reachable) {
            left.put(name, new ArrayList<>(refs(rules.get(name).body(), true)));
        }
        Set<String> done = new HashSet<>();
        for (String start : reachable) {
            if (done.contains(start)) {
                continue;
            }
            ArrayDeque<String> path = new ArrayDeque<>();
            ArrayDeque<Integer> nextChild = new ArrayDeque<>();
            path.push(start);
            nextChild.push(0);
            while (!path.isEmpty()) {
                String node = path.peek();
                int i = nextChild.pop();
                List<String> children = left.get(node);
                if (i < children.size()) {
                    nextChild.push(i + 1);
                    String child = children.get(i);
                    if (!done.contains(child)) {
                        path.push(child);
                        nextChild.push(0);
                    }
                } else {
                    path.pop();
                    if (done.add(node)) {
                        evals.put(node, evalAlternatives(rules.get(node).body()));
                    }
                }
            }
        }
        // Steps also start in the middle of a sequence, after a character: cover every suffix.
        for (String name : reachable) {
            Eval body = evals.get(name);
            maxExplored = Math.max(maxExplored, body.explored());
            maxChain = Math.max(maxChain, body.chain());
            forEachSequence(rules.get(name).body(), this::suffixes);
        }
    }

    private void forEachSequence(Alternatives alts, java.util.function.Consumer<Sequence> action) {
        ArrayDeque<Sequence> todo = new ArrayDeque<>(alts.choices());
        while (!todo.isEmpty()) {
            Sequence s = todo.pop();
            action.accept(s);
            for (Expression e : s.items()) {
                Expression inner = e;
                while (inner instanceof Repeat rep) {
                    inner = rep.item();
                }
                if (inner instanceof Group g) {
                    todo.addAll(g.body().choices());
                }
            }
        }
    }

    /** Every suffix of a sequence, from the right: explored = first + empties(first) * rest. */
    private void suffixes(Sequence s) {
        long explored = 0;
        long chain = 0;
        List<Expression> items = s.items();
        for (int i = items.size() - 1; i >= 0; i--) {
            Eval e = eval(items.get(i));
            explored = add(e.explored(), mul(e.empties(), explored));
            chain = e.emptyChain() == NOT_NULLABLE ? e.chain() : Math.max(e.chain(), add(e.emptyChain(), chain));
            maxExplored = Math.max(maxExplored, explored);
            maxChain = Math.max(maxChain, chain);
        }
    }

    private Eval evalAlternatives(Alternatives alts) {
        long explored = 0;
        long empties = 0;
        long chain = 0;
        long emptyChain = NOT_NULLABLE;
        for (Sequence s : alts.choices()) {
            Eval e = evalSequence(s.items());
            explored = add(explored, e.explored());
            empties = add(empties, e.empties());
            chain = Math.max(chain, e.chain());
            emptyChain = Math.max(emptyChain, e.emptyChain());
        }
        return new Eval(explored, empties, chain, emptyChain);
    }

    /** A sequence from its start: only items reachable while everything before them can be empty. */
    private Eval evalSequence(List<Expression> items) {
        List<Eval> evaluated = new ArrayList<>(items.size());
        for (Expression item : items) {
            Eval e = eval(item);
            evaluated.add(e);
            if (e.emptyChain() == NOT_NULLABLE) {
                break;
            }
        }
        return fold(evaluated);
    }

    /** Items one after another: what is explored from the start, through every prefix that can be empty. */
    private static Eval fold(List<Eval> sequence) {
        long explored = 0;
        long multiplicity = 1;
        long chain = 0;
        long prefixChain = 0;
        for (Eval e : sequence) {
            explored = add(explored, mul(multiplicity, e.explored()));
            chain = Math.max(chain, add(prefixChain, e.chain()));
            multiplicity = mul(multiplicity, e.empties());
            if (e.emptyChain() == NOT_NULLABLE) {
                return new Eval(explored, 0, chain, NOT_NULLABLE);
            }
            prefixChain = add(prefixChain, e.emptyChain());
        }
        return new Eval(explored, multiplicity, chain, prefixChain);
    }

    private Eval eval(Expression e) {
        return switch (e) {
            case Literal l -> l.text().isEmpty() ? Eval.EMPTY : Eval.CHAR;
            case CharClass c -> Eval.CHAR;
            case AnyChar a -> Eval.CHAR;
            case RuleRef r -> evals.get(r.name()).asReference();
            case Group g -> evalAlternatives(g.body()).asReference();
            case Repeat r -> evalRepeat(r);
        };
    }

    /**
     * llama.cpp's expansion of {@code S{m,n}}: m copies of S, then a reference to a chain of n-m rules
     * {@code S'(x) ::= S S'(x-1) |}; {@code S{m,}} ends with {@code S' ::= S S' |} instead.
     */
    private Eval evalRepeat(Repeat r) {
        Eval item = eval(r.item());
        List<Eval> sequence = new ArrayList<>();
        // after a copy that cannot be empty nothing further is reached from the start
        int copies = item.emptyChain() == NOT_NULLABLE ? Math.min(r.min(), 1) : r.min();
        for (int i = 0; i < copies; i++) {
            sequence.add(item);
        }
        if (r.max() == Expression.UNBOUNDED) {
            // item is never nullable here: checkRepeatedEmpty refused that
            sequence.add(new Eval(item.explored(), 1, item.chain(), 0).asReference());
        } else if (r.max() > r.min()) {
            Eval chainRule = new Eval(0, 1, 0, 0);
            for (int x = 1; x <= r.max() - r.min(); x++) {
                long explored = add(item.explored(), mul(item.empties(), chainRule.explored()));
                long empties = add(mul(item.empties(), chainRule.empties()), 1);
                long chain = item.emptyChain() == NOT_NULLABLE ? item.chain()
                        : Math.max(item.chain(), add(item.emptyChain(), chainRule.chain()));
                long emptyChain = item.emptyChain() == NOT_NULLABLE ? 0
                        : Math.max(0, add(item.emptyChain(), chainRule.emptyChain()));
                chainRule = new Eval(explored, empties, chain, emptyChain).asReference();
            }
            sequence.add(chainRule);
        }
        return fold(sequence);
    }

}
