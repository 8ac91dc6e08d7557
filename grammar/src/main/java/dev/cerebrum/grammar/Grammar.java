package dev.cerebrum.grammar;

import dev.cerebrum.grammar.GrammarException.Problem;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A GBNF grammar that both llama.cpp versions of the engines parse the same way, that cannot crash them and
 * that compiles in a fraction of a second: see {@link #parse(String)}.
 *
 * @param text  the grammar as written; this is what is sent to llama.cpp
 * @param rules its rules in written order
 * @param stats its sizes, within {@link GrammarLimits}
 */
public record Grammar(String text, List<Rule> rules, GrammarStats stats) {

    public Grammar {
        Objects.requireNonNull(text, "text");
        rules = List.copyOf(rules);
        Objects.requireNonNull(stats, "stats");
    }

    /**
     * Parses and checks a grammar.
     *
     * @throws GrammarException when llama.cpp would refuse, mis-handle or crash on the grammar, or a limit of
     *                          {@link GrammarLimits} is exceeded
     */
    public static Grammar parse(String text) {
        Objects.requireNonNull(text, "text");
        GbnfParser.Parsed parsed = GbnfParser.parse(text);
        check(parsed.symbols(), GrammarLimits.MAX_RULES, "rules");
        check(parsed.elements(), GrammarLimits.MAX_ELEMENTS, "elements");
        long[] analysed = GrammarAnalysis.analyse(parsed.rules());
        check(analysed[0], GrammarLimits.MAX_EXPLORED, "paths explored in one step");
        check(analysed[1], GrammarLimits.MAX_EMPTY_CHAIN, "rule references followed without consuming input");
        ParseStates.Result states = ParseStates.analyse(new LlamaRules(parsed.rules()));
        check(states.ambiguity(), GrammarLimits.MAX_AMBIGUITY, "paths for one 16-character token");
        GrammarStats stats = new GrammarStats(parsed.bytes(), parsed.maxDepth(), parsed.symbols(),
                parsed.elements(), states.states(), states.fanOut(), states.ambiguity(), analysed[0], analysed[1]);
        return new Grammar(text, parsed.rules(), stats);
    }

    /**
     * Parses and checks a grammar given as UTF-8 bytes.
     *
     * @throws GrammarException when the bytes are not valid UTF-8, or as {@link #parse(String)}
     */
    public static Grammar parse(byte[] utf8) {
        Objects.requireNonNull(utf8, "utf8");
        if (utf8.length > GrammarLimits.MAX_BYTES) {
            throw new GrammarException(Problem.LIMIT, 1, 1, "grammar is " + utf8.length + " bytes; the limit is "
                    + GrammarLimits.MAX_BYTES);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(utf8);
        try {
            return parse(decoder.decode(in).toString());
        } catch (CharacterCodingException e) {
            throw new GrammarException(Problem.BAD_CHARACTER, 1, 1, "the grammar is not valid UTF-8 (at byte "
                    + in.position() + ")");
        }
    }

    private static void check(long value, long limit, String what) {
        if (value > limit) {
            // saturated counts and capped ones are only known to be above
            boolean above = value == Long.MAX_VALUE || value == limit + 1;
            throw new GrammarException(Problem.LIMIT, 1, 1, "grammar has " + (above ? "more than " + limit
                    : Long.toString(value)) + " " + what + "; the limit is " + limit);
        }
    }

    /** The rule named {@code root}, where generation starts. */
    public Rule root() {
        return rules.stream().filter(r -> r.name().equals("root")).findFirst().orElseThrow();
    }
}
