package dev.cerebrum.engine.worker.testing;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.gguf.SuccessorModel;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The chat known-answer model on this engine: a rendered ChatML prompt is tokenised with its special tokens
 * parsed, and the answer ends at {@code <|im_end|>}, which is not the vocabulary's EOS. Every worker engine
 * passes it: the chat API depends on it.
 */
public abstract class ChatMlSuite extends OneModelSuite {
    /** One user message "hi", rendered with the model's ChatML template and the generation prompt. */
    static final String CHATML_PROMPT = "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n";
    /**
     * Its tokens with the special tokens parsed: {@code <s>}, {@code <|im_start|>}, {@code ▁ u s e r <0x0A> h i},
     * {@code <|im_end|>}, {@code ▁ <0x0A>}, {@code <|im_start|>}, {@code ▁ a s s i s t a n t <0x0A>}
     * (SentencePiece puts {@code ▁} before the text after a special token). As plain text it would be 60 more.
     */
    static final int CHATML_PROMPT_TOKENS = 1 + 1 + 8 + 1 + 2 + 1 + 11;

    @Override
    protected ModelSpec suiteModel() {
        return ModelSpec.of("chatml", TestModels.chatMl(), 1024, 1, 1);
    }

    @Test
    void chatMlPrompt_isAnsweredExactly_andStopsAtImEnd() throws Exception {
        Events events = Events.readAll(model().generate(GenerationRequest.builder(CHATML_PROMPT).greedy()
                .maxTokens(100).build()));

        assertEquals(SuccessorModel.CHAT_ANSWER, events.text());
        assertEquals(FinishReason.STOP, events.finished.reason());
        assertEquals(26, events.finished.completionTokens());
        assertEquals(CHATML_PROMPT_TOKENS, events.finished.promptTokens());
        assertEquals(CHATML_PROMPT_TOKENS, model().countTokens(CHATML_PROMPT));
    }

    @Test
    void specialTokenTextInAPrompt_becomesTheSpecialToken() throws Exception {
        // <|im_start|> as one token is followed by n; as plain text it would end with '>', followed by </s>
        Events events = Events.readAll(model().generate(GenerationRequest.builder("<|im_start|>").greedy()
                .maxTokens(100).build()));

        assertEquals(SuccessorModel.AFTER_IM_START, events.text());
        assertEquals(FinishReason.STOP, events.finished.reason());
        assertEquals(2, events.finished.promptTokens());
    }
}
