package dev.cerebrum.grammar;

/**
 * The limits every accepted grammar stays within, so that nothing accepted can crash llama.cpp or take it
 * more than a fraction of a second to compile or to sample a token with. A grammar above a limit is refused
 * with {@link GrammarException.Problem#LIMIT} and a message naming the limit and the value.
 *
 * <p>Calibrated against the real libraries (b4916 from de.kherud:llama 4.2.0, and the current llama.cpp of
 * node-llama-cpp 3.22.1), each grammar compiled in a forked process on a thread of 8 MB of stack, on
 * 2 shared cores; "per token" is one {@code apply} and {@code accept} of the grammar sampler over a 32,000-token
 * vocabulary, where a grammar-free step costs 3-6 ms. Figures are b4916 / current.
 * <ul>
 *   <li>Nesting: llama.cpp parses groups by recursion. 64 levels need about 32 KB of stack; the parser
 *       crashed (SIGSEGV) at 1,000 levels on a 256 KB stack, 4,000 on 1 MB and 50,000 on 8 MB.</li>
 *   <li>Elements: 99,901 elements compile in 1.6 / 1.3 ms. Rules: 9,010 rules in 4.0 / 3.1 ms.</li>
 *   <li>Fan-out: every stack is checked against every token each step. 33 stacks: 13 / 15 ms per token;
 *       64: 38 / 53 ms (the worst accepted); 129: 333 / 375 ms; 501: 1,342 / 1,706 ms.</li>
 *   <li>Ambiguity: {@code "a"{0,100}} repeated {@code {0,100}} through a second rule passes llama.cpp's own
 *       repetition check and costs 36.5 s for one token in b4916. The worst accepted measured, 884 paths,
 *       costs 22 / 10 ms per token.</li>
 *   <li>Explored paths (b4916 only, it explores without memory): 8,192 compile in 0.3 ms, 65,536 in 3.8 ms,
 *       1,048,576 in 56 ms, 4,194,304 in 136 ms.</li>
 *   <li>Empty chain (b4916 recurses once per reference): 1,000 references compile in 5.6 / 9.4 ms, 10,000 in
 *       163 / 169 ms, 20,000 in 724 / 698 ms; 5,000 crash b4916 on a 1 MB stack.</li>
 *   <li>Parse states bound the time of this library's own analysis: 73 ms at 99,000.</li>
 * </ul>
 * The worst grammar accepted for each limit compiles in at most 9.4 ms and costs at most 53 ms per token.
 */
public final class GrammarLimits {
    /** Most UTF-8 bytes of grammar text. */
    public static final int MAX_BYTES = 65_536;
    /** Deepest nesting of groups and repetitions. */
    public static final int MAX_NESTING = 64;
    /**
     * Most repetitions in {@code {m}}, {@code {m,}} and {@code {m,n}}. The current llama.cpp refuses a minimum
     * above 2000 and reads a maximum above 2000 as unbounded, unlike b4916.
     */
    public static final int MAX_REPETITION = 1_000;
    /** Most rules after expansion. */
    public static final long MAX_RULES = 10_000;
    /** Most grammar elements after expansion. */
    public static final long MAX_ELEMENTS = 100_000;
    /** Most distinct parse stacks. */
    public static final long MAX_PARSE_STATES = 100_000;
    /** Most parse stacks after one step. */
    public static final long MAX_FAN_OUT = 64;
    /** Most paths of a 16-character token through the parse stacks. */
    public static final long MAX_AMBIGUITY = 1_000;
    /** Most paths b4916 explores in one step. */
    public static final long MAX_EXPLORED = 10_000;
    /** Longest chain of references followed without consuming a character. */
    public static final long MAX_EMPTY_CHAIN = 1_000;

    private GrammarLimits() {
    }
}
