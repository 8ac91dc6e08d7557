package dev.cerebrum.grammar.testing;

import dev.cerebrum.grammar.GrammarException.Problem;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grammar corpora the tests share, the engine's integration tests included: valid grammars (llama.cpp's
 * own examples and ours), malformed ones with the expected problem and message, and hostile ones.
 */
public final class GrammarCorpus {

    private GrammarCorpus() {
    }

    /** llama.cpp's {@code grammars/*.gbnf}. */
    public static final List<String> LLAMA_GRAMMARS = List.of("arithmetic", "c", "chess", "english", "japanese",
            "json", "json_arr", "list");

    /** Ours: every feature of the syntax, once. */
    public static final List<String> OUR_GRAMMARS = List.of("any-char", "choice", "class-edges",
            "comments-and-unused", "crlf", "defined-after-use", "empty-alternative", "empty-root", "escapes",
            "literal", "negated", "nested-groups", "newline-after-bar", "newline-in-group", "no-spaces",
            "recursive-expr", "recursive-nested", "repetitions", "small-json", "spaced-braces", "unicode",
            "words");

    /** Every valid grammar by name ("llama/json", "ours/literal"), in a stable order. */
    public static Map<String, String> valid() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : LLAMA_GRAMMARS) {
            out.put("llama/" + name, resource("/llama-grammars/" + name + ".gbnf"));
        }
        for (String name : OUR_GRAMMARS) {
            out.put("ours/" + name, resource("/valid/" + name + ".gbnf"));
        }
        return out;
    }

    private static String resource(String path) {
        try (InputStream in = GrammarCorpus.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A refused grammar and what the refusal must say.
     *
     * @param name    what it shows
     * @param text    the grammar
     * @param problem the expected problem
     * @param message a part of the expected message, position included
     */
    public record Refused(String name, String text, Problem problem, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Grammars llama.cpp refuses or silently mis-handles. */
    public static List<Refused> malformed() {
        List<Refused> out = new ArrayList<>();
        out.add(new Refused("unclosed group", "root ::= (", Problem.SYNTAX, "line 1, column 11: expecting ')'"));
        out.add(new Refused("undefined rule", "root ::= foo", Problem.UNDEFINED_RULE,
                "line 1, column 10: rule 'foo' is used but never defined"));
        out.add(new Refused("unknown escape", "root ::= \"\\q\"", Problem.BAD_ESCAPE, "unknown escape \\q"));
        out.add(new Refused("direct left recursion", "root ::= root", Problem.LEFT_RECURSION,
                "rule 'root' is left-recursive (root -> root)"));
        out.add(new Refused("indirect left recursion", "root ::= a\na ::= b \"x\"\nb ::= a \"y\"",
                Problem.LEFT_RECURSION, "(a -> b -> a)"));
        out.add(new Refused("left recursion through an empty prefix", "root ::= x root \"a\" | \"b\"\nx ::= \"c\"?",
                Problem.LEFT_RECURSION, "rule 'root' is left-recursive"));
        out.add(new Refused("reversed range", "root ::= [z-a]", Problem.EMPTY_CHARACTER_CLASS,
                "line 1, column 11: the range z-a is reversed"));
        out.add(new Refused("no root", "x ::= \"a\"", Problem.MISSING_ROOT, "no rule named 'root'"));
        out.add(new Refused("only a comment", "# nothing here\n", Problem.MISSING_ROOT, "defines no rules"));
        out.add(new Refused("unclosed string", "root ::= \"abc", Problem.SYNTAX, "line 1, column 10: the string is not closed"));
        out.add(new Refused("unclosed class", "root ::= [abc", Problem.SYNTAX, "the character class is not closed"));
        out.add(new Refused("rule defined twice", "root ::= \"a\"\nroot ::= \"b\"", Problem.DUPLICATE_RULE,
                "line 2, column 1: rule 'root' is defined twice (first on line 1)"));
        out.add(new Refused("token id", "root ::= <[12]>", Problem.UNSUPPORTED_SYNTAX, "tokens"));
        out.add(new Refused("negated token", "root ::= !<[12]>", Problem.UNSUPPORTED_SYNTAX, "tokens"));
        out.add(new Refused("token text", "root ::= <|im_end|>", Problem.UNSUPPORTED_SYNTAX, "tokens"));
        out.add(new Refused("escaped hyphen", "root ::= [a\\-z]", Problem.UNSUPPORTED_SYNTAX, "the escape \\-"));
        out.add(new Refused("short hex escape", "root ::= \"\\x4\"", Problem.BAD_ESCAPE, "exactly 2 hex digits"));
        out.add(new Refused("non-hex escape", "root ::= \"\\u12G4\"", Problem.BAD_ESCAPE, "exactly 4 hex digits"));
        out.add(new Refused("beyond Unicode", "root ::= \"\\U00110000\"", Problem.BAD_CHARACTER,
                "is not a Unicode code point"));
        out.add(new Refused("escaped NUL", "root ::= \"\\x00\"", Problem.BAD_CHARACTER, "NUL"));
        out.add(new Refused("raw NUL", "root ::= \"a\"\u0000garbage", Problem.BAD_CHARACTER, "NUL"));
        out.add(new Refused("escaped surrogate", "root ::= \"\\uD800\"", Problem.BAD_CHARACTER, "surrogate"));
        out.add(new Refused("unpaired surrogate", "root ::= \"\uD800\"", Problem.BAD_CHARACTER, "unpaired surrogate"));
        out.add(new Refused("empty class", "root ::= \"a\" [] \"b\"", Problem.EMPTY_CHARACTER_CLASS, "[] is empty"));
        out.add(new Refused("empty negated class", "root ::= [^]", Problem.EMPTY_CHARACTER_CLASS, "[^] is empty"));
        out.add(new Refused("class of nothing producible", "root ::= [^\\x01-\\U0010FFFF]",
                Problem.EMPTY_CHARACTER_CLASS, "matches no character"));
        out.add(new Refused("nothing to repeat", "root ::= *", Problem.BAD_REPETITION, "'*' has nothing before it"));
        out.add(new Refused("repeat after {0}", "root ::= \"a\"{0}*", Problem.BAD_REPETITION, "nothing before it"));
        out.add(new Refused("reversed repetition", "root ::= \"a\"{3,1}", Problem.BAD_REPETITION,
                "{3,1} has its maximum below its minimum"));
        out.add(new Refused("repetition without minimum", "root ::= \"a\"{,2}", Problem.SYNTAX,
                "expecting a number after '{'"));
        out.add(new Refused("unclosed repetition", "root ::= \"a\"{2", Problem.SYNTAX, "expecting ',' or '}'"));
        out.add(new Refused("star of something empty", "root ::= (\"a\"*)*", Problem.LEFT_RECURSION,
                "unbounded repetition of something that can match the empty string"));
        out.add(new Refused("star of a rule that can be empty", "root ::= x+\nx ::= \"a\"?", Problem.LEFT_RECURSION,
                "unbounded repetition"));
        out.add(new Refused("bar at the start of a line", "root ::= \"a\"\n  | \"b\"", Problem.SYNTAX,
                "line 2, column 3: expecting a rule name, found '|'"));
        out.add(new Refused("single equals", "root = \"a\"", Problem.SYNTAX, "expecting '::='"));
        out.add(new Refused("stray bracket", "root ::= \"a\" ]", Problem.SYNTAX,
                "expecting a newline or the end of the grammar, found ']'"));
        out.add(new Refused("non-ASCII name", "root ::= é", Problem.SYNTAX, "expecting a newline or the end"));
        out.add(new Refused("underscore in a name", "root_1 ::= \"a\"", Problem.SYNTAX, "expecting '::='"));
        out.add(new Refused("ends after a backslash", "root ::= \"a\\", Problem.SYNTAX, "ends after a backslash"));
        return out;
    }

    /** Grammars that would crash llama.cpp, or stall it for seconds, each refused by a limit. */
    public static List<Refused> hostile() {
        List<Refused> out = new ArrayList<>();
        out.add(new Refused("50,000 nested parentheses", "root ::= " + "(".repeat(50_000) + "\"a\"" + ")".repeat(50_000),
                Problem.LIMIT, "grammar is 100012 bytes; the limit is 65536"));
        out.add(new Refused("30,000 nested parentheses", "root ::= " + "(".repeat(30_000) + "\"a\"" + ")".repeat(30_000),
                Problem.LIMIT, "parentheses nest 65 deep; the limit is 64"));
        out.add(new Refused("nested repetition", "root ::= \"a\"{0,1000}{0,1000}", Problem.LIMIT,
                "nested repetitions multiply to 1000000 repeated rules"));
        out.add(new Refused("nested repetition through rules",
                "root ::= r2 \"b\"\nr0 ::= \"a\"\nr1 ::= r0{0,100}\nr2 ::= r1{0,100}", Problem.LIMIT, "; the limit is"));
        out.add(new Refused("ambiguous star", "root ::= (\"a\" | \"a\")* \"b\"", Problem.LIMIT,
                "more than 1000 paths for one 16-character token; the limit is 1000"));
        out.add(new Refused("adjacent optional whitespace", "root ::= \"x\" ws ws ws ws ws ws \"y\"\nws ::= [ ]*",
                Problem.LIMIT, "paths for one 16-character token"));
        out.add(new Refused("huge repetition", "root ::= \"a\"{1000000}", Problem.LIMIT,
                "repetition count 1000000 is above the limit of 1000"));
        out.add(new Refused("overflowing repetition", "root ::= \"a\"{99999999999999999999}", Problem.LIMIT,
                "repetition count 99999999999999999999 is above the limit"));
        out.add(new Refused("long literal", "root ::= \"" + "a".repeat(70_000) + "\"", Problem.LIMIT,
                "grammar is 70011 bytes"));
        StringBuilder manyRules = new StringBuilder("root ::= x0\n");
        for (int i = 0; i < 11; i++) {
            manyRules.append("x").append(i).append(" ::= \"a\"{0,1000}").append(i < 10 ? " x" + (i + 1) : "").append('\n');
        }
        out.add(new Refused("many rules", manyRules.toString(), Problem.LIMIT, "more than 10000 rules"));
        out.add(new Refused("many elements", "root ::= \"" + "abcdefghij".repeat(11) + "\"{1000}", Problem.LIMIT,
                "grammar has 110001 elements; the limit is 100000"));
        StringBuilder manyStates = new StringBuilder("root ::=");
        for (int i = 0; i < 300; i++) {
            manyStates.append(" r");
        }
        manyStates.append("\nr ::= \"abcdefghij\"{100}\n");
        out.add(new Refused("many parse states", manyStates.toString(), Problem.LIMIT, "parse states"));
        StringBuilder fanOut = new StringBuilder("root ::=");
        for (int i = 0; i < 100; i++) {
            fanOut.append(" \"").appendCodePoint(0x4E00 + i).append("\"?");
        }
        out.add(new Refused("wide fan-out", fanOut + " \"!\"", Problem.LIMIT,
                "parse stacks after one step; the limit is 64 parse stacks"));
        out.add(new Refused("many empty alternatives", "root ::= " + "x ".repeat(20) + "\"b\"\nx ::= | ",
                Problem.LIMIT, "grammar has 1048576 paths explored in one step; the limit is 10000"));
        StringBuilder chain = new StringBuilder("root ::= r1\n");
        for (int i = 1; i < 1500; i++) {
            chain.append('r').append(i).append(" ::= r").append(i + 1).append(" \"a\"\n");
        }
        chain.append("r1500 ::= \"a\"\n");
        out.add(new Refused("long empty chain", chain.toString(), Problem.LIMIT,
                "1500 rule references followed without consuming input; the limit is 1000"));
        StringBuilder cycle = new StringBuilder("root ::= a0\n");
        for (int i = 0; i < 100; i++) {
            cycle.append('a').append(i).append(" ::= a").append((i + 1) % 100).append(" \"x\"\n");
        }
        out.add(new Refused("long left-recursive cycle", cycle.toString(), Problem.LEFT_RECURSION, "left-recursive"));
        out.add(new Refused("reversed range among others", "root ::= [a-z0-9_z-a]", Problem.EMPTY_CHARACTER_CLASS,
                "reversed"));
        out.add(new Refused("reversed repetition (loops the current llama.cpp)", "root ::= [a-z]{5,3}",
                Problem.BAD_REPETITION, "maximum below its minimum"));
        return out;
    }
}
