package dev.cerebrum.grammar;

import dev.cerebrum.grammar.Expression.CharClass;
import dev.cerebrum.grammar.Expression.CharRange;
import dev.cerebrum.grammar.Expression.Group;
import dev.cerebrum.grammar.Expression.Literal;
import dev.cerebrum.grammar.Expression.Repeat;
import dev.cerebrum.grammar.Expression.RuleRef;
import dev.cerebrum.grammar.GrammarException.Problem;
import dev.cerebrum.grammar.testing.GrammarCorpus;
import dev.cerebrum.grammar.testing.Recogniser;
import dev.cerebrum.grammar.testing.WorstGrammars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrammarTest {

    static Stream<Map.Entry<String, String>> validCorpus() {
        return GrammarCorpus.valid().entrySet().stream();
    }

    static Stream<GrammarCorpus.Refused> malformedCorpus() {
        return GrammarCorpus.malformed().stream();
    }

    static Stream<GrammarCorpus.Refused> hostileCorpus() {
        return GrammarCorpus.hostile().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCorpus")
    void validGrammar_isAccepted_withinEveryLimit(Map.Entry<String, String> grammar) {
        Grammar g = Grammar.parse(grammar.getValue());

        GrammarStats s = g.stats();
        assertEquals("root", g.root().name());
        assertTrue(s.nesting() <= GrammarLimits.MAX_NESTING && s.fanOut() <= GrammarLimits.MAX_FAN_OUT
                && s.ambiguity() <= GrammarLimits.MAX_AMBIGUITY, s.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedCorpus")
    void malformedGrammar_isRefused_withItsProblemAndPosition(GrammarCorpus.Refused refused) {
        GrammarException e = assertThrows(GrammarException.class, () -> Grammar.parse(refused.text()));

        assertEquals(refused.problem(), e.problem(), e.getMessage());
        assertTrue(e.getMessage().contains(refused.message()), () -> "message: " + e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileCorpus")
    void hostileGrammar_isRefusedQuickly(GrammarCorpus.Refused refused) {
        GrammarException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrows(GrammarException.class, () -> Grammar.parse(refused.text())));

        assertEquals(refused.problem(), e.problem(), e.getMessage());
        assertTrue(e.getMessage().contains(refused.message()), () -> "message: " + e.getMessage());
        assertTrue(e.getMessage().length() < 300, "the message stays short");
    }

    @Test
    void parse_buildsTheTree_asWritten() {
        Grammar g = Grammar.parse("root ::= \"a\\n\" [^x-z0] (word | \"b\")+ word{2,3}\nword ::= \"w\"");

        List<Expression> items = g.root().body().choices().getFirst().items();
        assertEquals(new Literal("a\n", new Position(1, 10)), items.get(0));
        CharClass c = assertInstanceOf(CharClass.class, items.get(1));
        assertTrue(c.negated());
        assertEquals(List.of(new CharRange('x', 'z'), new CharRange('0', '0')), c.ranges());
        Repeat plus = assertInstanceOf(Repeat.class, items.get(2));
        assertEquals(1, plus.min());
        assertEquals(Expression.UNBOUNDED, plus.max());
        Group group = assertInstanceOf(Group.class, plus.item());
        assertEquals(new RuleRef("word", new Position(1, 25)), group.body().choices().get(0).items().getFirst());
        Repeat braces = assertInstanceOf(Repeat.class, items.get(3));
        assertEquals(2, braces.min());
        assertEquals(3, braces.max());
        assertEquals(2, g.rules().size());
    }

    @Test
    void stats_countWhatLlamaCppBuilds() {
        // llama.cpp builds, for "a"{2,4}: the rule [a a ref END] and two rules [a ref ALT END], [a ALT END]
        GrammarStats s = Grammar.parse("root ::= \"a\"{2,4}").stats();

        assertEquals(3, s.rules());
        assertEquals(4 + 4 + 3, s.elements());
    }

    @Test
    void invalidUtf8_isRefused() {
        byte[] bytes = "root ::= \"a\"".getBytes(StandardCharsets.UTF_8);
        bytes[10] = (byte) 0xC3; // a lead byte followed by '"' is malformed

        GrammarException e = assertThrows(GrammarException.class, () -> Grammar.parse(bytes));

        assertEquals(Problem.BAD_CHARACTER, e.problem());
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void validUtf8Bytes_areParsed() {
        Grammar g = Grammar.parse("root ::= \"日本\"".getBytes(StandardCharsets.UTF_8));

        assertEquals(new Literal("日本", new Position(1, 10)), g.root().body().choices().getFirst().items().getFirst());
    }

    @Test
    void exceptions_shareOneUncheckedBase() {
        GrammarException e = assertThrows(GrammarException.class, () -> Grammar.parse("root ::= ("));

        RefusedGrammarException base = assertInstanceOf(RefusedGrammarException.class, e);
        assertInstanceOf(RuntimeException.class, base);
        assertEquals(1, e.line());
        assertEquals(11, e.column());
        assertEquals("line 1, column 11: " + e.reason(), e.getMessage());
        assertFalse(e.reason().startsWith("line"), "the reason is the plain message");
    }

    @Test
    void worstAcceptedShapes_stayWithinLimits() {
        // just inside each limit: these are what the engine's integration test compiles and runs
        assertAll(WorstGrammars.all().entrySet().stream().map(e -> () -> {
            GrammarStats s = Grammar.parse(e.getValue()).stats();
            assertTrue(s.bytes() <= GrammarLimits.MAX_BYTES && s.rules() <= GrammarLimits.MAX_RULES
                    && s.elements() <= GrammarLimits.MAX_ELEMENTS && s.fanOut() <= GrammarLimits.MAX_FAN_OUT
                    && s.ambiguity() <= GrammarLimits.MAX_AMBIGUITY && s.explored() <= GrammarLimits.MAX_EXPLORED
                    && s.emptyChain() <= GrammarLimits.MAX_EMPTY_CHAIN, e.getKey() + ": " + s);
        }));
    }
}
