package dev.cerebrum.grammar;

import dev.cerebrum.grammar.Expression.AnyChar;
import dev.cerebrum.grammar.Expression.CharClass;
import dev.cerebrum.grammar.Expression.CharRange;
import dev.cerebrum.grammar.Expression.Group;
import dev.cerebrum.grammar.Expression.Literal;
import dev.cerebrum.grammar.Expression.Repeat;
import dev.cerebrum.grammar.Expression.RuleRef;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules llama.cpp builds from a grammar: groups become rules, {@code S{m,n}} becomes m copies of S and
 * a chain of n-m optional rules, {@code S{m,}} one recursive rule. Elements are either a reference to a
 * rule (a non-negative rule index) or a character set ({@code -1 - set index}). Only built once the
 * element count is known to be within {@link GrammarLimits#MAX_ELEMENTS}.
 */
final class LlamaRules {
    /** Per rule, its alternatives as element arrays. */
    final List<int[][]> rules = new ArrayList<>();
    /** Per character set, its sorted disjoint inclusive ranges as {@code [lo0, hi0, lo1, hi1, ...]}. */
    final List<int[]> charSets = new ArrayList<>();
    /** The index of {@code root}. */
    final int root;

    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, int[]> literalChars = new HashMap<>();

    LlamaRules(List<Rule> grammarRules) {
        for (Rule r : grammarRules) {
            ids.put(r.name(), rules.size());
            rules.add(null);
        }
        for (Rule r : grammarRules) {
            rules.set(ids.get(r.name()), alternatives(r.body()));
        }
        root = ids.get("root");
    }

    private int[][] alternatives(Alternatives alts) {
        int[][] out = new int[alts.choices().size()][];
        for (int i = 0; i < out.length; i++) {
            IntList seq = new IntList();
            for (Expression e : alts.choices().get(i).items()) {
                append(e, seq);
            }
            out[i] = seq.toArray();
        }
        return out;
    }

    private int addRule(int[][] alternatives) {
        rules.add(alternatives);
        return rules.size() - 1;
    }

    private void append(Expression e, IntList out) {
        switch (e) {
            case Literal l -> l.text().codePoints().forEach(cp -> out.add(charElement(new int[] {cp, cp})));
            case CharClass c -> out.add(charElement(ranges(c)));
            case AnyChar a -> out.add(charElement(new int[] {0, Character.MAX_CODE_POINT}));
            case RuleRef r -> out.add(ids.get(r.name()));
            case Group g -> {
                int id = addRule(null);
                rules.set(id, alternatives(g.body()));
                out.add(id);
            }
            case Repeat r -> {
                IntList item = new IntList();
                append(r.item(), item);
                for (int i = 0; i < r.min(); i++) {
                    out.addAll(item);
                }
                if (r.max() == Expression.UNBOUNDED) {
                    int id = addRule(null);
                    IntList loop = new IntList();
                    loop.addAll(item);
                    loop.add(id);
                    rules.set(id, new int[][] {loop.toArray(), new int[0]});
                    out.add(id);
                } else if (r.max() > r.min()) {
                    int previous = -1;
                    for (int x = 1; x <= r.max() - r.min(); x++) {
                        IntList first = new IntList();
                        first.addAll(item);
                        if (previous >= 0) {
                            first.add(previous);
                        }
                        previous = addRule(new int[][] {first.toArray(), new int[0]});
                    }
                    out.add(previous);
                }
            }
        }
    }

    private int charElement(int[] ranges) {
        String key = Arrays.toString(ranges);
        int[] known = literalChars.get(key);
        if (known != null) {
            return known[0];
        }
        charSets.add(ranges);
        int element = -charSets.size();
        literalChars.put(key, new int[] {element});
        return element;
    }

    /** A class as sorted disjoint ranges; a negated class as the complement over all code points. */
    private static int[] ranges(CharClass c) {
        List<CharRange> sorted = new ArrayList<>(c.ranges());
        sorted.sort(Comparator.comparingInt(CharRange::first));
        IntList merged = new IntList();
        for (CharRange r : sorted) {
            int n = merged.size();
            if (n > 0 && r.first() <= merged.get(n - 1) + 1) {
                merged.set(n - 1, Math.max(merged.get(n - 1), r.last()));
            } else {
                merged.add(r.first());
                merged.add(r.last());
            }
        }
        if (!c.negated()) {
            return merged.toArray();
        }
        IntList complement = new IntList();
        int next = 0;
        for (int i = 0; i < merged.size(); i += 2) {
            if (merged.get(i) > next) {
                complement.add(next);
                complement.add(merged.get(i) - 1);
            }
            next = merged.get(i + 1) + 1;
        }
        if (next <= Character.MAX_CODE_POINT) {
            complement.add(next);
            complement.add(Character.MAX_CODE_POINT);
        }
        return complement.toArray();
    }

    /** A growable int array. */
    static final class IntList {
        private int[] data = new int[8];
        private int size;

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        void addAll(IntList other) {
            for (int i = 0; i < other.size; i++) {
                add(other.data[i]);
            }
        }

        int get(int i) {
            return data[i];
        }

        void set(int i, int v) {
            data[i] = v;
        }

        int size() {
            return size;
        }

        int removeLast() {
            return data[--size];
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
