package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.gguf.ModelShape.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stop strings, grammars and the end of a slot's context, on the known-answer models. */
class StopGrammarLengthIT {

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"LLAMA", "QWEN3"})
    void aStopStringSpanningThreeTokens_endsTheGeneration_withoutShowingAnyOfIt(Architecture architecture) {
        try (GenerationCore core = Cores.successor(architecture, 1024, 1, 512)) {
            // "abc" continues d e f g h ...; the stop "fgh" arrives as three tokens
            Collector c = Cores.run(core, Cores.greedy("abc", 8).stop(List.of("fgh")).build());

            assertEquals(List.of("d", "e"), c.pieces());
            assertEquals(FinishReason.STOP, c.reason());
            assertEquals(2, c.finished().completionTokens());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"LLAMA", "QWEN3"})
    void textThatStartsAStopStringButDiverges_isHeldBack_thenShown(Architecture architecture) {
        try (GenerationCore core = Cores.successor(architecture, 1024, 1, 512)) {
            Collector c = Cores.run(core, Cores.greedy("abc", 8).stop(List.of("efx", "zz")).build());

            // "e" and "ef" could begin "efx": they wait until "g" shows they do not
            assertEquals(List.of("d", "efg", "h", "i", "j", "k"), c.pieces());
            assertEquals(FinishReason.LENGTH, c.reason());
            assertEquals(8, c.finished().completionTokens());
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void aGrammar_changesTheOutput(Architecture architecture) {
        try (GenerationCore core = Cores.successor(architecture, 1024, 1, 512)) {
            // without a grammar "abc" continues "defghijk"; this grammar allows only "xyz" and then the end
            Collector c = Cores.run(core, Cores.greedy("abc", 8).grammar("root ::= \"xyz\"").build());

            assertEquals("xyz", c.text());
            assertEquals(FinishReason.STOP, c.reason());
            assertEquals(3, c.finished().completionTokens());
        }
    }

    @Test
    void anInvalidGrammar_failsOnlyItsOwnRequest() {
        try (GenerationCore core = Cores.successor(Architecture.LLAMA, 2048, 2, 512)) {
            // given a long generation running in one slot
            Collector running = new Collector();
            core.submit(Cores.greedy("abc", 300).ignoreEos(true).build(), running);

            // when a request with a grammar that does not parse arrives
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> core.submit(Cores.greedy("w", 8).grammar("root ::= (").build(), new Collector()));

            // then only that request fails; the running one ends normally and the core serves the next
            assertEquals("grammar", e.field());
            assertEquals(FinishReason.LENGTH, running.reason());
            assertEquals(300, running.finished().completionTokens());
            assertTrue(running.text().startsWith("defghijklmnopqrstuvwxyz"), running.text());
            assertEquals("xyz", Cores.run(core, Cores.greedy("w", 8).build()).text());
            assertTrue(core.isAlive());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"LLAMA", "QWEN3"})
    void aFullSlotContext_endsWithLength_afterTheLastTokenThatFits(Architecture architecture) {
        // given slots of 256 tokens and a prompt of "a"s that leaves room for 5 more tokens in the slot
        try (GenerationCore core = Cores.successor(architecture, 512, 2, 512)) {
            assertEquals(256, core.slotContext());
            String prompt = "a".repeat(251 - (core.countTokens("aa") - 2));
            assertEquals(251, core.countTokens(prompt));

            // when it is continued with a token limit far away
            Collector c = Cores.run(core, Cores.greedy(prompt, 1000).build());

            // then positions 251..255 are decoded and the token sampled from the last one ends the generation
            assertEquals("bcdefg", c.text());
            assertEquals(FinishReason.LENGTH, c.reason());
            assertEquals(6, c.finished().completionTokens());
        }
    }

    @Test
    void aPromptThatFillsTheSlot_isRefusedWithBothNumbers() {
        try (GenerationCore core = Cores.successor(Architecture.LLAMA, 512, 2, 512)) {
            String prompt = "a".repeat(254);
            ContextOverflowException e = assertThrows(ContextOverflowException.class,
                    () -> core.submit(Cores.greedy(prompt, 8).build(), new Collector()));
            assertEquals(256, e.promptTokens());
            assertEquals(256, e.contextTokens());
        }
    }
}
