package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.gguf.ModelShape.Architecture;
import dev.cerebrum.gguf.SuccessorModel;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The known-answer models of every architecture give their answers through the core, greedy, as a stream. */
class KnownAnswersIT {

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void abc_continuesDefghijk_oneTokenEventPerLetter(Architecture architecture) {
        try (GenerationCore core = Cores.successor(architecture, 1024, 2, 512)) {
            // when "abc" is continued greedily for 8 tokens
            Collector c = Cores.run(core, Cores.greedy("abc", 8).build());

            // then the stream is d, e, ..., k, one token each, then the final event with exact counts
            assertEquals(architecture.ggufName(), core.architecture());
            assertEquals("defghijk", c.text());
            assertEquals(List.of("d", "e", "f", "g", "h", "i", "j", "k"), c.pieces());
            for (int i = 0; i < 8; i++) {
                assertEquals(i + 1, ((GenerationEvent.Token) c.events.get(i)).completionTokens());
            }
            GenerationEvent.Finished f = c.finished();
            assertEquals(FinishReason.LENGTH, f.reason());
            assertEquals(8, f.completionTokens());
            assertEquals(core.countTokens("abc"), f.promptTokens());
            assertEquals(9, c.events.size());
            assertTrue(f.timings().timeToFirstTokenMillis() > 0 && f.timings().decodeMillis() > 0
                    && f.timings().totalMillis() >= f.timings().timeToFirstTokenMillis(), f.timings().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void w_givesXyz_thenEndOfGeneration_whichIsNotCounted(Architecture architecture) {
        try (GenerationCore core = Cores.successor(architecture, 1024, 2, 512)) {
            Collector c = Cores.run(core, Cores.greedy("w", 100).build());

            assertEquals("xyz", c.text());
            assertEquals(FinishReason.STOP, c.reason());
            assertEquals(3, c.finished().completionTokens());
            assertEquals(core.countTokens("w"), c.finished().promptTokens());
            assertEquals(CoreStatus.class, core.status().getClass());
            assertEquals(0, core.status().busy(), "the slot is free once the final event is sent");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN3", "QWEN3MOE"})
    void qwen3Prompts_parseChatMlTokens_andAddNoBos(Architecture architecture) {
        try (GenerationCore core = Cores.successor(architecture, 1024, 1, 512)) {
            // <|im_start|> u s e r \n a b c <|im_end|>: the special tokens are one token each
            assertEquals(10, core.countTokens("<|im_start|>user\nabc<|im_end|>"));
            assertEquals(3, core.countTokens("abc"));
            // " w" is one merged BPE token
            assertEquals(1, core.countTokens(" w"));

            Collector c = Cores.run(core, Cores.greedy("<|im_start|>user\n w", 10).build());
            assertEquals("xyz", c.text());
            assertEquals(FinishReason.STOP, c.reason());
        }
    }

    @Test
    void chatMlModel_parsesSpecialTokens_andStopsAtImEnd_whichIsNotTheEos() {
        // the llama chat model: SentencePiece plus <|im_start|> and <|im_end|>, EOS </s>
        try (GenerationCore core = Cores.load(TestModels.chatMl(), 1024, 1, 512)) {
            String prompt = "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n";
            // <s>, <|im_start|>, ▁ u s e r <0x0A> h i, <|im_end|>, ▁ <0x0A>, <|im_start|>, ▁ a s s i s t a n t <0x0A>
            assertEquals(1 + 1 + 8 + 1 + 2 + 1 + 11, core.countTokens(prompt));

            Collector c = Cores.run(core, Cores.greedy(prompt, 100).build());
            assertEquals(SuccessorModel.CHAT_ANSWER, c.text());
            assertEquals(FinishReason.STOP, c.reason());
            assertEquals(26, c.finished().completionTokens());

            // <|im_start|> as one token is followed by n; as plain text it would end with '>', followed by </s>
            Collector afterStart = Cores.run(core, Cores.greedy("<|im_start|>", 100).build());
            assertEquals(SuccessorModel.AFTER_IM_START, afterStart.text());
            assertEquals(FinishReason.STOP, afterStart.reason());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"LLAMA"})
    void llamaPrompts_getBos_andASpacePrefix(Architecture architecture) {
        try (GenerationCore core = Cores.successor(architecture, 1024, 1, 512)) {
            // <s> ▁ a b c
            assertEquals(5, core.countTokens("abc"));
        }
    }
}
