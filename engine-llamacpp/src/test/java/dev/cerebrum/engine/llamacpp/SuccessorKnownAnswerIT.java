package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.SlotStatus;
import dev.cerebrum.gguf.testing.TestModels;
import dev.cerebrum.engine.spi.EngineOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * Known answers from the real native library on the successor model, whose greedy continuation
 * of every letter is the next letter and of "z" end of sequence.
 */
class SuccessorKnownAnswerIT {
    /** Four slots of 256 tokens. */
    private static final int CONTEXT = 1024;
    private static final int SLOTS = 4;

    @TempDir
    static Path workDir;
    private static InferenceEngine engine;
    private static LoadedModel model;

    @BeforeAll
    static void load() {
        engine = InferenceEngines.create("llamacpp", EngineOptions.of(workDir));
        model = engine.load(ModelSpec.of("successor", TestModels.successor(), CONTEXT, 1, SLOTS));
    }

    @AfterAll
    static void unload() {
        if (engine != null) {
            engine.close();
        }
    }

    private static GenerationRequest.Builder greedy(String prompt) {
        return GenerationRequest.builder(prompt).greedy();
    }

    @Test
    void abc_continuesWithDefghijk_untilMaxTokens() throws Exception {
        Events events = Events.readAll(model.generate(greedy("abc").maxTokens(8).build()));

        assertEquals("defghijk", events.text());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), events.counts());
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(8, events.finished.completionTokens());
        assertNull(events.finished.error());
    }

    @Test
    void maxTokensReached_endsWithLength() throws Exception {
        Events events = Events.readAll(model.generate(greedy("mno").maxTokens(3).build()));

        assertEquals("pqr", events.text());
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(3, events.finished.completionTokens());
    }

    @Test
    void endOfSequence_endsWithStop_andCountsOnlyTheTextTokens() throws Exception {
        Events events = Events.readAll(model.generate(greedy("w").maxTokens(20).build()));

        assertEquals("xyz", events.text());
        assertEquals(FinishReason.STOP, events.finished.reason());
        assertEquals(3, events.finished.completionTokens());
    }

    @Test
    void endOfSequenceAsTheLastAllowedToken_isStillStop() throws Exception {
        // "y" gives "z" and then end of sequence as the second token: n_predict and EOS coincide.
        Events events = Events.readAll(model.generate(greedy("y").maxTokens(2).build()));

        assertEquals("z", events.text());
        assertEquals(FinishReason.STOP, events.finished.reason());
        assertEquals(1, events.finished.completionTokens());
    }

    @Test
    void stopString_endsWithStop_andIsNotPartOfTheText() throws Exception {
        Events events = Events.readAll(model.generate(greedy("abc").maxTokens(20).stop(List.of("fg")).build()));

        assertEquals("de", events.text());
        assertEquals(FinishReason.STOP, events.finished.reason());
        assertEquals(2, events.finished.completionTokens());
        assertEquals(events.counts().getLast(), events.finished.completionTokens());
    }

    @Test
    void stopStringThatNeverMatches_doesNotChangeTheAnswer() throws Exception {
        Events events = Events.readAll(model.generate(greedy("abc").maxTokens(8).stop(List.of("zz")).build()));

        assertEquals("defghijk", events.text());
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(8, events.finished.completionTokens());
    }

    @Test
    void promptTokens_areCountedAsLlamaServerDoes() throws Exception {
        // SPM: BOS, the space-prefix token, then one token per letter.
        assertEquals(5, model.countTokens("abc"));
        assertEquals(3, model.countTokens("w"));
        assertEquals(9, model.countTokens("abc def"));

        Events events = Events.readAll(model.generate(greedy("abc").maxTokens(2).build()));
        assertEquals(model.countTokens("abc"), events.finished.promptTokens());
    }

    @Test
    void timings_areMeasuredForEveryStage() throws Exception {
        Events events = Events.readAll(model.generate(greedy("abc").maxTokens(8).build()));

        var timings = events.finished.timings();
        assertTrue(timings.timeToFirstTokenMillis() > 0, timings.toString());
        assertTrue(timings.promptMillis() > 0, timings.toString());
        assertTrue(timings.decodeMillis() > 0, timings.toString());
        assertTrue(timings.decodeTokensPerSecond() > 0, timings.toString());
        assertTrue(timings.totalMillis() >= timings.timeToFirstTokenMillis(), timings.toString());
        assertTrue(timings.timeToFirstTokenMillis() >= timings.promptMillis(), timings.toString());
    }

    @Test
    void twelveConcurrentRequestsOnFourSlots_eachGetTheirOwnContinuation() throws Exception {
        Map<String, String> expected = Map.of("abc", "defghijk", "ghi", "jklmnopq", "mno", "pqrstuvw", "stu", "vwxyz");
        List<String> prompts = IntStream.range(0, 12).mapToObj(i -> List.of("abc", "ghi", "mno", "stu").get(i % 4)).toList();
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger maxBusy = new AtomicInteger();
        AtomicInteger maxWaiting = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (sampling.get()) {
                SlotStatus slots = model.slots();
                maxBusy.accumulateAndGet(slots.busy(), Math::max);
                maxWaiting.accumulateAndGet(slots.waiting(), Math::max);
                Thread.onSpinWait();
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<Events>> results = new ArrayList<>();
            for (String prompt : prompts) {
                results.add(pool.submit(() -> Events.readAll(model.generate(greedy(prompt).maxTokens(8).build()))));
            }
            for (int i = 0; i < prompts.size(); i++) {
                Events events = results.get(i).get();
                assertEquals(expected.get(prompts.get(i)), events.text(), "continuation of " + prompts.get(i));
                assertEquals(expected.get(prompts.get(i)).length(), events.finished.completionTokens());
            }
        } finally {
            sampling.set(false);
            sampler.join();
            pool.shutdownNow();
        }
        assertTrue(maxBusy.get() > 0, "slots were seen busy");
        assertTrue(maxBusy.get() <= SLOTS, "never more busy slots than the model has: " + maxBusy.get());
        assertEquals(new SlotStatus(SLOTS, 0, 0), model.slots());
    }

    @Test
    void cancelMidStream_endsCancelledAtOnce_andFreesTheSlot() throws Exception {
        Generation generation = model.generate(greedy("a").maxTokens(200).ignoreEos(true).build());
        GenerationEvent first = Events.next(generation);
        assertInstanceOf(GenerationEvent.Token.class, first);

        generation.cancel();

        GenerationEvent last = generation.poll(Duration.ZERO);
        GenerationEvent.Finished finished = assertInstanceOf(GenerationEvent.Finished.class, last);
        assertEquals(FinishReason.CANCELLED, finished.reason());
        assertThrows(IllegalStateException.class, () -> generation.poll(Duration.ZERO));
        awaitIdle();
        Events after = Events.readAll(model.generate(greedy("abc").maxTokens(8).build()));
        assertEquals("defghijk", after.text());
    }

    @Test
    void contextOverflow_isRefusedWithBothNumbers_beforeNativeCode() {
        String prompt = "abcdefghijklmnopqrstuvwxyz".repeat(10);
        int tokens = model.countTokens(prompt);

        ContextOverflowException e = assertThrows(ContextOverflowException.class,
                () -> model.generate(greedy(prompt).maxTokens(8).build()));

        assertEquals(tokens, e.promptTokens());
        assertEquals(CONTEXT / SLOTS, e.contextTokens());
        assertTrue(e.getMessage().contains(Integer.toString(tokens)) && e.getMessage().contains(Integer.toString(CONTEXT / SLOTS)),
                e.getMessage());
        assertEquals(new SlotStatus(SLOTS, 0, 0), model.slots());
    }

    @Test
    void promptThatFillsTheSlot_endsWithLengthWhenTheContextIsFull() throws Exception {
        // BOS + space prefix + 251 letters = 253 tokens of the 256 a slot holds.
        String prompt = "a".repeat(251);
        assertEquals(253, model.countTokens(prompt));

        Events events = Events.readAll(model.generate(greedy(prompt).maxTokens(100).ignoreEos(true).build()));

        assertEquals(FinishReason.LENGTH, events.finished.reason());
        assertEquals(CONTEXT / SLOTS - 253, events.finished.completionTokens());
        assertEquals("bcd", events.text());
    }

    @Test
    void grammarWithoutRootRule_isRefused() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> model.generate(greedy("abc").grammar("{\"type\": \"object\"}").build()));
        assertEquals("grammar", e.field());
    }

    @Test
    void grammar_constrainsTheOutput() throws Exception {
        Events events = Events.readAll(model.generate(greedy("abc").maxTokens(8).grammar("root ::= \"d\" [a-z]*").build()));

        assertTrue(events.text().startsWith("d"), events.text());
        assertFalse(events.tokens.isEmpty());
    }

    private static void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (model.slots().busy() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(0, model.slots().busy(), "the slot was freed");
    }
}
