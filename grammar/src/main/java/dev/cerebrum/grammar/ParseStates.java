package dev.cerebrum.grammar;

import dev.cerebrum.grammar.GrammarException.Problem;
import dev.cerebrum.grammar.LlamaRules.IntList;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parse stacks llama.cpp can hold for a grammar, enumerated, and how much work one token costs.
 *
 * <p>llama.cpp keeps a set of stacks, each a path from {@code root} down to the character element it
 * expects next. To sample a token it checks every token of the vocabulary against every stack: it matches
 * the token's first character, advances that stack (every way to reach a next character: the
 * <em>fan-out</em>), and recurses into each resulting stack for the next character, without merging the
 * paths. An ambiguous grammar, where several stacks accept the same characters, makes that work grow with
 * the power of the token's length: {@code r1 ::= "a"{0,100}} and {@code r2 ::= r1{0,100}} cost 36 s per
 * token with a 32,000-token vocabulary.
 *
 * <p>A state here is such a stack: rules are unfolded per place of use, so a state is exact, except inside
 * recursion, where the rules of a recursive component are unfolded once per entry into it and share their
 * callers. When a shared rule ends, the ambiguity takes the worst single caller rather than their sum, as
 * a real stack returns to one of them. Computed:
 * <ul>
 *   <li>{@code states}: how many stacks exist at all (this bounds the analysis itself);</li>
 *   <li>{@code fanOut}: the most stacks one step can produce;</li>
 *   <li>{@code ambiguity}: the most paths a token of {@link #TOKEN_CHARS} characters can take through the
 *       stacks, over every string and every starting stack: llama.cpp's work per token and stack.</li>
 * </ul>
 */
final class ParseStates {
    /** The token length the ambiguity is measured for: long tokens of repeated characters are common. */
    static final int TOKEN_CHARS = 16;
    /** Most successor edges between states, which bounds the time of this analysis. */
    static final long MAX_EDGES = 200_000;
    private static final long ACCEPT = -1;
    private static final long END_FLAG = 1L << 31;

    private final LlamaRules g;
    private final int[] component;
    private final boolean[] recursive;
    private final List<int[]> componentRules = new ArrayList<>();
    private final int[][] altOffsets;
    private final int[][] altOfFlat;

    // instances: one unfolded use of a rule
    private final IntList instRule = new IntList();
    /** Per instance: the points where its callers continue once it ends. */
    private final List<long[]> instCallers = new ArrayList<>();
    /** Per instance: the shared group it belongs to (rule to instance), or null for a fresh use. */
    private final List<Map<Integer, Integer>> instGroup = new ArrayList<>();
    private final Map<Long, Integer> children = new HashMap<>();
    /** Uses of a rule that return to the same place are the same stacks: one instance. */
    private final Map<Use, Integer> uses = new HashMap<>();
    private int rootInstance;
    private long slots;

    private final LongSet visited = new LongSet();
    private final LongList work = new LongList();

    /** The results. */
    record Result(long states, long fanOut, long ambiguity) {
    }

    private ParseStates(LlamaRules g) {
        this.g = g;
        int n = g.rules.size();
        component = new int[n];
        recursive = new boolean[n];
        altOffsets = new int[n][];
        altOfFlat = new int[n][];
        for (int r = 0; r < n; r++) {
            int[][] alts = g.rules.get(r);
            altOffsets[r] = new int[alts.length];
            int offset = 0;
            for (int a = 0; a < alts.length; a++) {
                altOffsets[r][a] = offset;
                offset += alts[a].length;
            }
            altOfFlat[r] = new int[offset];
            for (int a = 0; a < alts.length; a++) {
                Arrays.fill(altOfFlat[r], altOffsets[r][a], altOffsets[r][a] + alts[a].length, a);
            }
        }
        computeComponents();
    }

    static Result analyse(LlamaRules rules) {
        return new ParseStates(rules).run();
    }

    private Result run() {
        rootInstance = newInstance(g.root, new long[] {ACCEPT});
        LongList initial = new LongList();
        explore(startsOf(rootInstance), false, initial);
        long fanOut = initial.size();
        // every reachable state, breadth-first, following every caller of a shared rule
        Map<Long, Integer> index = new HashMap<>();
        LongList order = new LongList();
        long edges = 0;
        addStates(initial, index, order);
        LongList succ = new LongList();
        for (int i = 0; i < order.size(); i++) {
            succ.clear();
            explore(new long[] {after(order.get(i))}, false, succ);
            fanOut = Math.max(fanOut, succ.size());
            edges += succ.size();
            if (order.size() > GrammarLimits.MAX_PARSE_STATES || edges > MAX_EDGES) {
                throw limit("more than " + GrammarLimits.MAX_PARSE_STATES + " parse states or " + MAX_EDGES
                        + " transitions between them", GrammarLimits.MAX_PARSE_STATES + " parse states");
            }
            if (fanOut > GrammarLimits.MAX_FAN_OUT) {
                throw limit(fanOut + " parse stacks after one step", GrammarLimits.MAX_FAN_OUT + " parse stacks");
            }
            addStates(succ, index, order);
        }
        long ambiguity = new Ambiguity(order, index).worst();
        return new Result(order.size(), fanOut, ambiguity);
    }

    private static GrammarException limit(String what, String limit) {
        return new GrammarException(Problem.LIMIT, 1, 1, "grammar has " + what + "; the limit is " + limit);
    }

    private static void addStates(LongList found, Map<Long, Integer> index, LongList order) {
        for (int i = 0; i < found.size(); i++) {
            long s = found.get(i);
            if (s >= 0 && !index.containsKey(s)) {
                index.put(s, order.size());
                order.add(s);
            }
        }
    }

    private long[] startsOf(int inst) {
        int rule = instRule.get(inst);
        int[][] alts = g.rules.get(rule);
        long[] points = new long[alts.length];
        for (int a = 0; a < alts.length; a++) {
            points[a] = alts[a].length == 0 ? ((long) inst << 32) | END_FLAG : ((long) inst << 32) | altOffsets[rule][a];
        }
        return points;
    }

    /** The point after a state's character element. */
    private long after(long state) {
        return next((int) (state >>> 32), (int) state);
    }

    /** The point after element {@code flat} of an instance: the next element, or the end. */
    private long next(int inst, int flat) {
        int rule = instRule.get(inst);
        int alt = altOfFlat[rule][flat];
        boolean last = flat + 1 == altOffsets[rule][alt] + g.rules.get(rule)[alt].length;
        return last ? ((long) inst << 32) | END_FLAG : ((long) inst << 32) | (flat + 1);
    }

    /**
     * Every state llama.cpp's {@code advance_stack} reaches from the given points without consuming a
     * character, deduplicated as llama.cpp deduplicates stacks, into {@code out}; {@link #ACCEPT} when the
     * grammar can end. A state is the point of its character element; a point is an instance and a flat
     * element index, or an instance's end. With {@code stopAtShared}, the end of a rule shared by several
     * callers (inside recursion) is not followed but reported as {@code -2 - instance}, so that each caller
     * can be weighed on its own.
     */
    private void explore(long[] start, boolean stopAtShared, LongList out) {
        visited.clear();
        work.clear();
        for (int i = start.length - 1; i >= 0; i--) {
            work.add(start[i]);
        }
        while (work.size() > 0) {
            long p = work.pop();
            if (!visited.add(p)) {
                continue;
            }
            int inst = (int) (p >>> 32);
            if ((p & END_FLAG) != 0) {
                if (stopAtShared && instGroup.get(inst) != null) {
                    out.add(-2 - inst);
                    continue;
                }
                for (long caller : instCallers.get(inst)) {
                    if (caller == ACCEPT) {
                        if (visited.add(ACCEPT)) {
                            out.add(ACCEPT);
                        }
                    } else {
                        work.add(caller);
                    }
                }
                continue;
            }
            int flat = (int) p;
            int rule = instRule.get(inst);
            int alt = altOfFlat[rule][flat];
            int e = g.rules.get(rule)[alt][flat - altOffsets[rule][alt]];
            if (e < 0) {
                out.add(p);
            } else {
                long[] starts = startsOf(child(inst, flat, e));
                for (int i = starts.length - 1; i >= 0; i--) {
                    work.add(starts[i]);
                }
            }
        }
    }

    private int child(int inst, int flat, int target) {
        Map<Integer, Integer> group = instGroup.get(inst);
        if (group != null && component[target] == component[instRule.get(inst)]) {
            return group.get(target);
        }
        long key = ((long) inst << 32) | flat;
        Integer child = children.get(key);
        if (child == null) {
            long continuation = next(inst, flat);
            // A reference that ends a fresh rule returns straight to that rule's caller, as llama.cpp's
            // stack holds no end marker; this keeps a chain of n repetition rules from costing n per step.
            long[] callers = (continuation & END_FLAG) != 0 && group == null
                    ? instCallers.get(inst) : new long[] {continuation};
            child = uses.computeIfAbsent(new Use(target, callers), u -> newInstance(u.rule(), u.callers()));
            children.put(key, child);
        }
        return child;
    }

    /** A rule used with a given continuation. */
    private record Use(int rule, long[] callers) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Use u && u.rule == rule && Arrays.equals(u.callers, callers);
        }

        @Override
        public int hashCode() {
            return rule * 31 + Arrays.hashCode(callers);
        }

        @Override
        public String toString() {
            return "Use[" + rule + ", " + Arrays.toString(callers) + "]";
        }
    }

    /** A fresh use of {@code rule} that continues at {@code callerNext}; a recursive component is entered whole. */
    private int newInstance(int rule, long[] callerNext) {
        if (!recursive[rule]) {
            int inst = allocate(rule, null);
            instCallers.set(inst, callerNext);
            return inst;
        }
        Map<Integer, Integer> group = new HashMap<>();
        int[] members = componentRules.get(component[rule]);
        for (int r : members) {
            group.put(r, allocate(r, group));
        }
        Map<Integer, LongList> callers = new HashMap<>();
        for (int r : members) {
            int member = group.get(r);
            int[][] alts = g.rules.get(r);
            for (int a = 0; a < alts.length; a++) {
                for (int i = 0; i < alts[a].length; i++) {
                    int t = alts[a][i];
                    if (t >= 0 && component[t] == component[r]) {
                        callers.computeIfAbsent(t, k -> new LongList()).add(next(member, altOffsets[r][a] + i));
                    }
                }
            }
        }
        LongList entryCallers = callers.computeIfAbsent(rule, k -> new LongList());
        for (long c : callerNext) {
            entryCallers.add(c);
        }
        for (int r : members) {
            LongList list = callers.get(r);
            instCallers.set(group.get(r), list == null ? new long[0] : list.toArray());
        }
        return group.get(rule);
    }

    private int allocate(int rule, Map<Integer, Integer> group) {
        int inst = instRule.size();
        instRule.add(rule);
        instCallers.add(new long[0]);
        instGroup.add(group);
        slots += Math.max(1, altOfFlat[rule].length);
        if (slots > GrammarLimits.MAX_PARSE_STATES * 4L) {
            throw limit("more than " + GrammarLimits.MAX_PARSE_STATES + " parse states",
                    GrammarLimits.MAX_PARSE_STATES + " parse states");
        }
        return inst;
    }

    private int[] charSet(long state) {
        int inst = (int) (state >>> 32);
        int flat = (int) state;
        int rule = instRule.get(inst);
        int alt = altOfFlat[rule][flat];
        return g.charSets.get(-1 - g.rules.get(rule)[alt][flat - altOffsets[rule][alt]]);
    }

    // ---- ambiguity -------------------------------------------------------------------------------

    /**
     * paths(k, s): the most paths, over all strings of k characters, through the stacks that follow state s.
     * paths(0, s) = 1; paths(k, s) = max over characters c of the sum of paths(k-1, t) over the successors t
     * of s that accept c. Where a shared rule of a recursive component ends, the real stack returns to one
     * caller: the most any single caller gives is taken, not the sum. Values are capped just above the limit.
     */
    private final class Ambiguity {
        private final long cap = GrammarLimits.MAX_AMBIGUITY + 1;
        private final int n;
        private final Map<Long, Integer> index;
        private final LongList order;
        /** Per state (and the start, at index n): its successors' ranges, and the shared instances it ends. */
        private final Sweep[] sweeps;
        private final int[][] returns;
        /** Per shared instance: the continuation after each of its callers. */
        private final Map<Integer, List<Sweep>> callerSweeps = new HashMap<>();
        private final Map<Integer, List<int[]>> callerReturns = new HashMap<>();

        Ambiguity(LongList order, Map<Long, Integer> index) {
            this.n = order.size();
            this.order = order;
            this.index = index;
            sweeps = new Sweep[n + 1];
            returns = new int[n + 1][];
            LongList found = new LongList();
            IntList pending = new IntList();
            for (int i = 0; i <= n; i++) {
                found.clear();
                explore(i < n ? new long[] {after(order.get(i))} : startsOf(rootInstance), true, found);
                sweeps[i] = sweep(found);
                returns[i] = shared(found);
                for (int j : returns[i]) {
                    pending.add(j);
                }
            }
            for (int k = 0; k < pending.size(); k++) {
                int j = pending.get(k);
                if (callerSweeps.containsKey(j)) {
                    continue;
                }
                List<Sweep> sw = new ArrayList<>();
                List<int[]> rets = new ArrayList<>();
                for (long caller : instCallers.get(j)) {
                    if (caller == ACCEPT) {
                        continue;
                    }
                    found.clear();
                    explore(new long[] {caller}, true, found);
                    sw.add(sweep(found));
                    int[] r = shared(found);
                    rets.add(r);
                    for (int x : r) {
                        pending.add(x);
                    }
                }
                callerSweeps.put(j, sw);
                callerReturns.put(j, rets);
            }
        }

        private int[] shared(LongList found) {
            IntList out = new IntList();
            for (int i = 0; i < found.size(); i++) {
                long s = found.get(i);
                if (s < ACCEPT) {
                    out.add((int) (-2 - s));
                }
            }
            return out.toArray();
        }

        /** The successors' character ranges as sorted events, built once. */
        private Sweep sweep(LongList found) {
            List<long[]> events = new ArrayList<>();
            for (int i = 0; i < found.size(); i++) {
                long s = found.get(i);
                if (s < 0) {
                    continue;
                }
                int succ = index.get(s);
                int[] ranges = charSet(s);
                for (int r = 0; r < ranges.length; r += 2) {
                    events.add(new long[] {ranges[r], succ, 1});
                    events.add(new long[] {(long) ranges[r + 1] + 1, succ, -1});
                }
            }
            events.sort((a, b) -> Long.compare(a[0], b[0]));
            int[] coordinates = new int[events.size()];
            int[] successor = new int[events.size()];
            byte[] sign = new byte[events.size()];
            for (int i = 0; i < coordinates.length; i++) {
                long[] e = events.get(i);
                coordinates[i] = (int) Math.min(e[0], Integer.MAX_VALUE);
                successor[i] = (int) e[1];
                sign[i] = (byte) e[2];
            }
            return new Sweep(coordinates, successor, sign);
        }

        long worst() {
            long[] paths = new long[n];
            Arrays.fill(paths, 1);
            long worst = 1;
            for (int k = 1; k <= TOKEN_CHARS && worst <= GrammarLimits.MAX_AMBIGUITY; k++) {
                Map<Integer, Step> returned = returnValues(paths);
                long[] updated = new long[n];
                for (int i = 0; i <= n; i++) {
                    long v = returns[i].length == 0 ? sweeps[i].max(paths)
                            : step(sweeps[i], returns[i], paths, returned).max();
                    v = Math.min(cap, v);
                    if (i < n) {
                        updated[i] = v;
                    }
                    worst = Math.max(worst, v);
                }
                paths = updated;
            }
            return worst;
        }

        /** For each shared instance: per character, the most one of its callers' continuations gives. */
        private Map<Integer, Step> returnValues(long[] paths) {
            Map<Integer, Step> values = new HashMap<>();
            if (callerSweeps.isEmpty()) {
                return values;
            }
            for (int j : callerSweeps.keySet()) {
                values.put(j, Step.ZERO);
            }
            for (int round = 0; round <= callerSweeps.size() + 1; round++) {
                boolean changed = false;
                for (Map.Entry<Integer, List<Sweep>> e : callerSweeps.entrySet()) {
                    List<int[]> rets = callerReturns.get(e.getKey());
                    Step best = Step.ZERO;
                    for (int c = 0; c < e.getValue().size(); c++) {
                        best = best.maxWith(step(e.getValue().get(c), rets.get(c), paths, values));
                    }
                    best = best.capped(cap);
                    if (!best.equals(values.get(e.getKey()))) {
                        values.put(e.getKey(), best);
                        changed = true;
                    }
                }
                if (!changed) {
                    return values;
                }
            }
            // still growing: the ambiguity grows with the depth of recursion
            for (int j : callerSweeps.keySet()) {
                values.put(j, new Step(new int[] {0}, new long[] {cap}));
            }
            return values;
        }

        /** Per character: the paths of the successors that accept it, plus what the returns give. */
        private Step step(Sweep local, int[] shared, long[] paths, Map<Integer, Step> returned) {
            List<long[]> events = new ArrayList<>(local.coordinates.length + 8);
            for (int i = 0; i < local.coordinates.length; i++) {
                events.add(new long[] {local.coordinates[i], local.sign[i] * paths[local.successor[i]]});
            }
            for (int j : shared) {
                returned.get(j).addEvents(events);
            }
            return Step.of(events);
        }
    }

    /** Sorted range events of successors: the max over characters of the sum of their paths is one pass. */
    private record Sweep(int[] coordinates, int[] successor, byte[] sign) {
        long max(long[] paths) {
            long sum = 0;
            long best = 0;
            int i = 0;
            while (i < coordinates.length) {
                int c = coordinates[i];
                while (i < coordinates.length && coordinates[i] == c) {
                    sum += sign[i] * paths[successor[i]];
                    i++;
                }
                best = Math.max(best, sum);
            }
            return best;
        }
    }

    /** A step function over code points: {@code values[i]} from {@code starts[i]} to the next start. */
    private record Step(int[] starts, long[] values) {
        static final Step ZERO = new Step(new int[] {0}, new long[] {0});

        /** From {coordinate, delta} events. */
        static Step of(List<long[]> events) {
            events.sort((a, b) -> Long.compare(a[0], b[0]));
            IntList starts = new IntList();
            LongList values = new LongList();
            starts.add(0);
            values.add(0);
            long sum = 0;
            int i = 0;
            while (i < events.size()) {
                long x = events.get(i)[0];
                while (i < events.size() && events.get(i)[0] == x) {
                    sum += events.get(i)[1];
                    i++;
                }
                if (x > Character.MAX_CODE_POINT) {
                    break;
                }
                if (starts.get(starts.size() - 1) == x) {
                    values.set(values.size() - 1, sum);
                } else {
                    starts.add((int) x);
                    values.add(sum);
                }
            }
            return new Step(starts.toArray(), values.toArray());
        }

        void addEvents(List<long[]> events) {
            long previous = 0;
            for (int i = 0; i < starts.length; i++) {
                if (values[i] != previous) {
                    events.add(new long[] {starts[i], values[i] - previous});
                    previous = values[i];
                }
            }
        }

        long max() {
            long m = 0;
            for (long v : values) {
                m = Math.max(m, v);
            }
            return m;
        }

        Step maxWith(Step other) {
            IntList xs = new IntList();
            LongList vs = new LongList();
            int i = 0;
            int j = 0;
            while (i < starts.length || j < other.starts.length) {
                int x = Math.min(i < starts.length ? starts[i] : Integer.MAX_VALUE,
                        j < other.starts.length ? other.starts[j] : Integer.MAX_VALUE);
                if (i < starts.length && starts[i] == x) {
                    i++;
                }
                if (j < other.starts.length && other.starts[j] == x) {
                    j++;
                }
                long v = Math.max(values[Math.max(0, i - 1)], other.values[Math.max(0, j - 1)]);
                if (vs.size() > 0 && vs.get(vs.size() - 1) == v) {
                    continue;
                }
                xs.add(x);
                vs.add(v);
            }
            return new Step(xs.toArray(), vs.toArray());
        }

        Step capped(long cap) {
            long[] v = values.clone();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.min(v[i], cap);
            }
            return new Step(starts, v);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Step s && Arrays.equals(starts, s.starts) && Arrays.equals(values, s.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(starts) * 31 + Arrays.hashCode(values);
        }
    }

    // ---- components ------------------------------------------------------------------------------

    /** Tarjan's strongly connected components of the rule graph, iteratively. */
    private void computeComponents() {
        int n = g.rules.size();
        int[] idx = new int[n];
        int[] low = new int[n];
        boolean[] onStack = new boolean[n];
        Arrays.fill(idx, -1);
        int counter = 0;
        int comps = 0;
        IntList stack = new IntList();
        for (int start = 0; start < n; start++) {
            if (idx[start] >= 0) {
                continue;
            }
            List<int[]> call = new ArrayList<>(); // {rule, alt, element}
            idx[start] = low[start] = counter++;
            stack.add(start);
            onStack[start] = true;
            call.add(new int[] {start, 0, 0});
            while (!call.isEmpty()) {
                int[] frame = call.get(call.size() - 1);
                int r = frame[0];
                int[][] alts = g.rules.get(r);
                if (frame[1] < alts.length) {
                    if (frame[2] >= alts[frame[1]].length) {
                        frame[1]++;
                        frame[2] = 0;
                        continue;
                    }
                    int t = alts[frame[1]][frame[2]++];
                    if (t < 0) {
                        continue;
                    }
                    if (t == r) {
                        recursive[r] = true;
                    }
                    if (idx[t] < 0) {
                        idx[t] = low[t] = counter++;
                        stack.add(t);
                        onStack[t] = true;
                        call.add(new int[] {t, 0, 0});
                    } else if (onStack[t]) {
                        low[r] = Math.min(low[r], idx[t]);
                    }
                } else {
                    call.remove(call.size() - 1);
                    if (!call.isEmpty()) {
                        int parent = call.get(call.size() - 1)[0];
                        low[parent] = Math.min(low[parent], low[r]);
                    }
                    if (low[r] == idx[r]) {
                        IntList members = new IntList();
                        int m;
                        do {
                            m = stack.removeLast();
                            onStack[m] = false;
                            component[m] = comps;
                            members.add(m);
                        } while (m != r);
                        if (members.size() > 1) {
                            for (int i = 0; i < members.size(); i++) {
                                recursive[members.get(i)] = true;
                            }
                        }
                        componentRules.add(members.toArray());
                        comps++;
                    }
                }
            }
        }
    }

    /** A growable long array. */
    static final class LongList {
        private long[] data = new long[16];
        private int size;

        void add(long v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        long get(int i) {
            return data[i];
        }

        void set(int i, long v) {
            data[i] = v;
        }

        long pop() {
            return data[--size];
        }

        int size() {
            return size;
        }

        void clear() {
            size = 0;
        }

        long[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    /** An open-addressing set of longs, cleared in constant time by a generation stamp. */
    static final class LongSet {
        private long[] keys = new long[64];
        private int[] stamps = new int[64];
        private int shift = 64 - 6;
        private int stamp = 1;
        private int size;

        void clear() {
            stamp++;
            size = 0;
            if (stamp == Integer.MAX_VALUE) {
                Arrays.fill(stamps, 0);
                stamp = 1;
            }
        }

        boolean add(long key) {
            if ((size + 1) * 2 > keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            // Fibonacci hashing: the high bits of the product depend on every bit of the key
            int i = (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
            while (stamps[i] == stamp) {
                if (keys[i] == key) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            stamps[i] = stamp;
            keys[i] = key;
            size++;
            return true;
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldStamps = stamps;
            keys = new long[oldKeys.length * 2];
            stamps = new int[oldKeys.length * 2];
            shift--;
            int current = stamp;
            stamp = 1;
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldStamps[i] == current) {
                    add(oldKeys[i]);
                }
            }
        }
    }
}
