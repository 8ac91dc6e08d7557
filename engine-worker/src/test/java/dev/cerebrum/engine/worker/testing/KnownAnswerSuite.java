package dev.cerebrum.engine.worker.testing;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.SlotStatus;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known answers through the engine SPI and a worker process, from the real native library, on a successor model:
 * its greedy continuation of every letter is the next letter, and of "z" end of sequence. Every worker engine
 * passes it; an engine's test names the engine and may pick the successor model of another architecture.
 */
public abstract class KnownAnswerSuite extends OneModelSuite {
    /** Four slots of 256 tokens. */
    private static final int CONTEXT = 1024;
    private static final int SLOTS = 4;

    /** The known-answer model; the llama successor unless the engine's test picks another architecture. */
    protected Path knownAnswerModel() {
        return TestModels.successor();
    }

    /**
     * True when the engine samples one more token from the last cell of a full slot (its logits are there, only
     * its own cell is missing), as the current llama.cpp engine does; the binding's llama-server code stops at
     * the last free cell.
     */
    protected abstract boolean samplesFromTheLastCell();

    /** The tokens {@code prompt} becomes with this model's vocabulary (BOS and a space prefix, or neither). */
    protected abstract int expectedPromptTokens(String prompt);

    @Override
    protected ModelSpec suiteModel() {
        return ModelSpec.of("successor", knownAnswerModel(), CONTEXT, 1, SLOTS);
    }

    private static GenerationRequest.Builder greedy(String prompt) {
        return GenerationRequest.builder(prompt).greedy();
    }

    @Test
    void abc_streamsDefghijk_oneTokenEventEach_untilMaxTokens() throws Exception {
        Events events = Events.readAll(model().generate(greedy("abc").maxTokens(8).build()));

        assertEquals("defghijk", events.text());
        assertEquals(List.of("d", "e", "f", "g", "h", "i", "j", "k"),
                events.tokens.stream().map(GenerationEvent.Token::text).toList());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), events.counts());
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(8, events.finished.completionTokens());
        assertNull(events.finished.error());
    }

    @Test
    void maxTokensReached_endsWithLength() throws Exception {
        Events events = Events.readAll(model().generate(greedy("mno").maxTokens(3).build()));

        assertEquals("pqr", events.text());
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(3, events.finished.completionTokens());
    }

    @Test
    void endOfSequence_endsWithStop_andCountsOnlyTheTextTokens() throws Exception {
        Events events = Events.readAll(model().generate(greedy("w").maxTokens(20).build()));

        assertEquals("xyz", events.text());
        assertEquals(FinishReason.STOP, events.finished.reason());
        assertEquals(3, events.finished.completionTokens());
    }

    @Test
    void endOfSequenceAsTheLastAllowedToken_isStillStop() throws Exception {
        // "y" gives "z" and then end of sequence as the second token: the token limit and EOS coincide.
        Events events = Events.readAll(model().generate(greedy("y").maxTokens(2).build()));

        assertEquals("z", events.text());
        assertEquals(FinishReason.STOP, events.finished.reason());
        assertEquals(1, events.finished.completionTokens());
    }

    @Test
    void stopStringSpanningTokens_endsWithStop_andNoPartOfItIsSent() throws Exception {
        Events events = Events.readAll(model().generate(greedy("abc").maxTokens(20).stop(List.of("fgh")).build()));

        assertEquals("de", events.text());
        assertEquals(List.of("d", "e"), events.tokens.stream().map(GenerationEvent.Token::text).toList());
        assertEquals(FinishReason.STOP, events.finished.reason());
        assertEquals(2, events.finished.completionTokens());
        assertEquals(events.counts().getLast(), events.finished.completionTokens());
    }

    @Test
    void stopStringThatStartsToMatchAndDiverges_isHeldBackThenSent() throws Exception {
        // "fgx" matches "fg" then diverges at "h": "f" and "g" are held, then sent with "h".
        Events events = Events.readAll(model().generate(greedy("abc").maxTokens(8).stop(List.of("fgx")).build()));

        assertEquals("defghijk", events.text());
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(8, events.finished.completionTokens());
    }

    @Test
    void promptTokens_areCountedWithTheModelsOwnTokenizer() throws Exception {
        assertEquals(expectedPromptTokens("abc"), model().countTokens("abc"));
        assertEquals(expectedPromptTokens("w"), model().countTokens("w"));

        Events events = Events.readAll(model().generate(greedy("abc").maxTokens(2).build()));
        assertEquals(model().countTokens("abc"), events.finished.promptTokens());
    }

    @Test
    void timings_areMeasuredForEveryStage() throws Exception {
        Events events = Events.readAll(model().generate(greedy("abc").maxTokens(8).build()));

        var timings = events.finished.timings();
        assertTrue(timings.timeToFirstTokenMillis() > 0, timings.toString());
        assertTrue(timings.promptMillis() > 0, timings.toString());
        assertTrue(timings.decodeMillis() > 0, timings.toString());
        assertTrue(timings.decodeTokensPerSecond() > 0, timings.toString());
        assertTrue(timings.totalMillis() >= timings.timeToFirstTokenMillis(), timings.toString());
        assertTrue(timings.timeToFirstTokenMillis() >= timings.promptMillis(), timings.toString());
    }

    @Test
    void twelveRequestsOnFourSlotsFourAtATime_eachGetTheirOwnContinuation() throws Exception {
        Map<String, String> expected = Map.of("abc", "defghijk", "ghi", "jklmnopq", "mno", "pqrstuvw", "stu", "vwxyz");
        List<String> prompts = IntStream.range(0, 12).mapToObj(i -> List.of("abc", "ghi", "mno", "stu").get(i % 4)).toList();
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger maxBusy = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (sampling.get()) {
                maxBusy.accumulateAndGet(model().slots().busy(), Math::max);
                Thread.onSpinWait();
            }
        });
        // four clients, one per slot, each sending three requests in turn (the engine does not queue)
        ExecutorService pool = Executors.newFixedThreadPool(SLOTS);
        try {
            List<Future<List<Events>>> clients = new ArrayList<>();
            for (int c = 0; c < SLOTS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    List<Events> mine = new ArrayList<>();
                    for (int i = client; i < prompts.size(); i += SLOTS) {
                        mine.add(Events.readAll(model().generate(greedy(prompts.get(i)).maxTokens(8).build())));
                    }
                    return mine;
                }));
            }
            for (int i = 0; i < prompts.size(); i++) {
                Events events = clients.get(i % SLOTS).get().get(i / SLOTS);
                assertEquals(expected.get(prompts.get(i)), events.text(), "continuation of " + prompts.get(i));
                assertEquals(expected.get(prompts.get(i)).length(), events.finished.completionTokens());
            }
        } finally {
            sampling.set(false);
            sampler.join();
            pool.shutdownNow();
        }
        assertTrue(maxBusy.get() > 0, "slots were seen busy");
        assertTrue(maxBusy.get() <= SLOTS, "never more busy slots than the model() has: " + maxBusy.get());
        assertEquals(new SlotStatus(SLOTS, 0, 0, 0), model().slots());
    }

    @Test
    void cancelMidStream_endsCancelledAtOnce_andFreesTheSlot() throws Exception {
        Generation generation = model().generate(greedy("a").maxTokens(200).ignoreEos(true).build());
        assertInstanceOf(GenerationEvent.Token.class, Events.next(generation));

        generation.cancel();

        GenerationEvent last = generation.poll(Duration.ZERO);
        GenerationEvent.Finished finished = assertInstanceOf(GenerationEvent.Finished.class, last);
        assertEquals(FinishReason.CANCELLED, finished.reason());
        assertThrows(IllegalStateException.class, () -> generation.poll(Duration.ZERO));
        awaitIdle(model());
        Events after = Events.readAll(model().generate(greedy("abc").maxTokens(8).build()));
        assertEquals("defghijk", after.text());
    }

    @Test
    void contextOverflow_isRefusedWithBothNumbers_beforeNativeCode() {
        String prompt = "abcdefghijklmnopqrstuvwxyz".repeat(10);
        int tokens = model().countTokens(prompt);

        ContextOverflowException e = assertThrows(ContextOverflowException.class,
                () -> model().generate(greedy(prompt).maxTokens(8).build()));

        assertEquals(tokens, e.promptTokens());
        assertEquals(CONTEXT / SLOTS, e.contextTokens());
        assertTrue(e.getMessage().contains(Integer.toString(tokens))
                && e.getMessage().contains(Integer.toString(CONTEXT / SLOTS)), e.getMessage());
        assertEquals(new SlotStatus(SLOTS, 0, 0, 0), model().slots());
    }

    @Test
    void promptThatAlmostFillsTheSlot_endsWithLengthWhenTheContextIsFull() throws Exception {
        // given a prompt that leaves 3 of the slot's 256 cells free
        String prompt = promptOfTokens(model(), CONTEXT / SLOTS - 3);

        Events events = Events.readAll(model().generate(greedy(prompt).maxTokens(100).ignoreEos(true).build()));

        int expected = 3 + (samplesFromTheLastCell() ? 1 : 0);
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(expected, events.finished.completionTokens());
        assertEquals("bcdefg".substring(0, expected), events.text());
    }

    @Test
    void grammarWithoutRootRule_isRefused() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> model().generate(greedy("abc").grammar("{\"type\": \"object\"}").build()));
        assertEquals("grammar", e.field());
    }

    @Test
    void grammar_changesTheOutput() throws Exception {
        Events plain = Events.readAll(model().generate(greedy("abc").maxTokens(8).build()));
        Events constrained = Events.readAll(model().generate(greedy("abc").maxTokens(8).grammar("root ::= \"xyz\"").build()));

        assertEquals("defghijk", plain.text());
        assertEquals("xyz", constrained.text());
        assertEquals(FinishReason.STOP, constrained.finished.reason());
        assertFalse(constrained.tokens.isEmpty());
    }
}
