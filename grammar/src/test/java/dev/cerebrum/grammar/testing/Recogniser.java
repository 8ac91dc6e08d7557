package dev.cerebrum.grammar.testing;

import dev.cerebrum.grammar.Alternatives;
import dev.cerebrum.grammar.Expression;
import dev.cerebrum.grammar.Expression.AnyChar;
import dev.cerebrum.grammar.Expression.CharClass;
import dev.cerebrum.grammar.Expression.CharRange;
import dev.cerebrum.grammar.Expression.Group;
import dev.cerebrum.grammar.Expression.Literal;
import dev.cerebrum.grammar.Expression.Repeat;
import dev.cerebrum.grammar.Expression.RuleRef;

import dev.cerebrum.grammar.Grammar;
import dev.cerebrum.grammar.Rule;
import dev.cerebrum.grammar.Sequence;

import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Does a grammar match a whole text? A memoised recogniser over the AST: for an expression and a start, the
 * set of ends it can reach. Test code only: it is the oracle for the grammars that JSON schemas compile to.
 */
public final class Recogniser {
    private final Map<String, Rule> rules = new HashMap<>();
    private final int[] text;
    private final Map<Object, Map<Integer, BitSet>> memo = new IdentityHashMap<>();

    private Recogniser(Grammar grammar, String input) {
        for (Rule r : grammar.rules()) {
            rules.put(r.name(), r);
        }
        this.text = input.codePoints().toArray();
    }

    /** Whether {@code grammar} matches all of {@code input}. */
    public static boolean matches(Grammar grammar, String input) {
        Recogniser r = new Recogniser(grammar, input);
        return r.ends(r.rules.get("root").body(), 0).get(r.text.length);
    }

    private BitSet ends(Object node, int start) {
        Map<Integer, BitSet> byStart = memo.computeIfAbsent(node, k -> new HashMap<>());
        BitSet known = byStart.get(start);
        if (known != null) {
            return known;
        }
        BitSet result = compute(node, start);
        byStart.put(start, result);
        return result;
    }

    private BitSet compute(Object node, int start) {
        BitSet out = new BitSet();
        switch (node) {
            case Alternatives alts -> {
                for (Sequence s : alts.choices()) {
                    out.or(ends(s, start));
                }
            }
            case Sequence s -> {
                BitSet current = new BitSet();
                current.set(start);
                for (Expression e : s.items()) {
                    BitSet next = new BitSet();
                    for (int p = current.nextSetBit(0); p >= 0; p = current.nextSetBit(p + 1)) {
                        next.or(ends(e, p));
                    }
                    current = next;
                }
                out = current;
            }
            case Literal l -> {
                int[] cps = l.text().codePoints().toArray();
                boolean ok = start + cps.length <= text.length;
                for (int i = 0; ok && i < cps.length; i++) {
                    ok = text[start + i] == cps[i];
                }
                if (ok) {
                    out.set(start + cps.length);
                }
            }
            case CharClass c -> {
                if (start < text.length) {
                    boolean in = false;
                    for (CharRange r : c.ranges()) {
                        in |= r.first() <= text[start] && text[start] <= r.last();
                    }
                    if (in != c.negated()) {
                        out.set(start + 1);
                    }
                }
            }
            case AnyChar a -> {
                if (start < text.length) {
                    out.set(start + 1);
                }
            }
            case RuleRef r -> out = ends(rules.get(r.name()).body(), start);
            case Group g -> out = ends(g.body(), start);
            case Repeat r -> {
                BitSet current = new BitSet();
                current.set(start);
                if (r.min() == 0) {
                    out.set(start);
                }
                BitSet seen = new BitSet();
                for (int count = 1; r.max() == Expression.UNBOUNDED || count <= r.max(); count++) {
                    BitSet next = new BitSet();
                    for (int p = current.nextSetBit(0); p >= 0; p = current.nextSetBit(p + 1)) {
                        next.or(ends(r.item(), p));
                    }
                    if (count >= r.min()) {
                        out.or(next);
                    }
                    if (r.max() == Expression.UNBOUNDED && count >= r.min()) {
                        // from the minimum on, only new ends can lead further
                        next.andNot(seen);
                        seen.or(next);
                        if (next.isEmpty()) {
                            break;
                        }
                    } else if (next.isEmpty()) {
                        break;
                    }
                    current = next;
                }
            }
            default -> throw new IllegalArgumentException(node.toString());
        }
        return out;
    }
}
