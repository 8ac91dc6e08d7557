package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.NoFreeSlotException;
import dev.cerebrum.gguf.ModelShape.Architecture;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Continuous batching over the slots, cancellation in every phase, and unloading. */
class SchedulingIT {

    private static final int CHUNK = 8;

    @Test
    void concurrentGenerations_onSeveralSlots_eachReturnExactlyTheirSoloOutput_inSharedSteps() {
        try (GenerationCore core = Cores.successor(Architecture.QWEN3, 4096, 4, 512)) {
            List<String> prompts = List.of("abc", "ghi", "mno", "stu");
            // given each prompt's output when it runs alone
            List<Collector> solo = new ArrayList<>();
            long soloSteps = core.loop().steps();
            for (String p : prompts) {
                solo.add(Cores.run(core, Cores.greedy(p, 8).build()));
            }
            soloSteps = core.loop().steps() - soloSteps;
            assertEquals("vwxyz", solo.get(3).text());

            // when twelve requests run on four slots, four at once (the guard in front queues the rest)
            long before = core.loop().steps();
            List<Collector> together = new ArrayList<>();
            for (int wave = 0; wave < 3; wave++) {
                List<Collector> running = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    Collector c = new Collector();
                    core.submit(Cores.greedy(prompts.get(i), 8).build(), c);
                    running.add(c);
                }
                for (Collector c : running) {
                    c.finished();
                }
                together.addAll(running);
            }
            long steps = core.loop().steps() - before;

            // then each returns exactly its solo text, reason and counts, and the steps were shared
            for (int i = 0; i < 12; i++) {
                Collector alone = solo.get(i % 4);
                Collector c = together.get(i);
                assertEquals(alone.pieces(), c.pieces(), prompts.get(i % 4));
                assertEquals(alone.reason(), c.reason());
                assertEquals(alone.finished().completionTokens(), c.finished().completionTokens());
                assertEquals(alone.finished().promptTokens(), c.finished().promptTokens());
            }
            assertTrue(steps < 3 * soloSteps / 2, steps + " decode steps for 12 generations whose solo runs took 3 x " + soloSteps);
        }
    }

    @Test
    void cancelDuringALongPrompt_takesEffectWithinOneChunk_andFreesTheSlot() {
        // given one slot, prompts processed 8 tokens per step, and a prompt of 4000 letters
        try (GenerationCore core = Cores.successor(Architecture.LLAMA, 8192, 1, CHUNK)) {
            String prompt = "abcdefghijklmnopqrstuvwxy".repeat(160);
            Collector c = new Collector();
            Submission s = core.submit(Cores.greedy(prompt, 8).build(), c);
            int total = s.promptTokens();
            assertEquals(4002, total);
            long chunksBefore = core.loop().prefillChunks();

            // when it is cancelled after a few chunks
            while (s.promptProcessed() < 4 * CHUNK) {
                Thread.onSpinWait();
            }
            assertEquals(SlotPhase.PREFILLING, core.status().slots().getFirst().phase());
            s.cancel();
            int processedAtCancel = s.promptProcessed();
            GenerationEvent.Finished f = c.finished();

            // then at most the chunk in flight was finished, nothing was generated, and the slot is free
            assertEquals(FinishReason.CANCELLED, f.reason());
            assertTrue(s.promptProcessed() - processedAtCancel <= CHUNK,
                    processedAtCancel + " processed at cancel, " + s.promptProcessed() + " at the end");
            assertTrue(s.promptProcessed() < total);
            assertTrue(core.loop().prefillChunks() - chunksBefore <= s.promptProcessed() / CHUNK + 1);
            assertEquals(List.of(f), c.events);
            assertEquals(0, f.completionTokens());
            assertEquals(total, f.promptTokens());
            assertEquals(SlotPhase.IDLE, core.status().slots().getFirst().phase());
            assertTrue(s.isDone());
            assertEquals("xyz", Cores.run(core, Cores.greedy("w", 8).build()).text());
        }
    }

    @Test
    void aGenerationBeyondTheFreeSlots_isRefused_andTheRunningOneGoesOn() {
        try (GenerationCore core = Cores.successor(Architecture.LLAMA, 4096, 1, 512)) {
            Collector running = new Collector();
            core.submit(Cores.greedy("abc", 600).ignoreEos(true).build(), running);

            assertThrows(NoFreeSlotException.class, () -> core.submit(Cores.greedy("w", 8).build(), new Collector()));

            assertEquals(FinishReason.LENGTH, running.reason());
            assertEquals(600, running.finished().completionTokens());
            assertEquals("xyz", Cores.run(core, Cores.greedy("w", 8).build()).text());
        }
    }

    @Test
    void aLongPrefillInOneSlot_doesNotStopTokensFlowingInAnother() throws InterruptedException {
        // given one slot decoding, with prompts processed 64 tokens per step
        try (GenerationCore core = Cores.successor(Architecture.LLAMA, 8192, 2, 64)) {
            List<Long> tokenTimes = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch flowing = new CountDownLatch(3);
            Collector decoding = new Collector() {
                @Override
                public void onEvent(GenerationEvent event) {
                    super.onEvent(event);
                    if (event instanceof GenerationEvent.Token) {
                        tokenTimes.add(System.nanoTime());
                        flowing.countDown();
                    }
                }
            };
            Submission d = core.submit(Cores.greedy("abc", 100_000).ignoreEos(true).build(), decoding);
            assertTrue(flowing.await(30, TimeUnit.SECONDS));

            // when another slot processes a prompt of 3,800 tokens
            Collector prefilling = new Collector();
            long prefillStart = System.nanoTime();
            Submission p = core.submit(Cores.greedy("ab".repeat(1900), 1).build(), prefilling);
            prefilling.finished();
            long prefillEnd = System.nanoTime();
            d.cancel();
            decoding.finished();

            // then tokens kept coming during the whole prefill, with no gap longer than a generous bound
            List<Long> during = new ArrayList<>();
            long last = prefillStart;
            long longestGap = 0;
            synchronized (tokenTimes) {
                for (long t : tokenTimes) {
                    if (t > prefillStart && t < prefillEnd) {
                        during.add(t);
                        longestGap = Math.max(longestGap, t - last);
                        last = t;
                    }
                }
            }
            longestGap = Math.max(longestGap, prefillEnd - last);
            int chunks = (p.promptTokens() + 63) / 64;
            System.out.printf("prefill of %d tokens took %.0f ms in %d chunks; the other slot got %d tokens meanwhile,"
                    + " longest gap %.0f ms%n", p.promptTokens(), (prefillEnd - prefillStart) / 1e6, chunks,
                    during.size(), longestGap / 1e6);
            assertTrue(during.size() >= chunks / 2, during.size() + " tokens during " + chunks + " prompt chunks");
            assertTrue(longestGap < TimeUnit.SECONDS.toNanos(5), "longest gap " + longestGap / 1e6 + " ms");
        }
    }

    @Test
    void aShortPromptArrivingDuringALongOne_getsItsFirstTokenBeforeTheLongPromptIsDone() throws InterruptedException {
        // given a long prompt being processed, 64 tokens per step
        try (GenerationCore core = Cores.successor(Architecture.LLAMA, 8192, 2, 64)) {
            AtomicReference<Long> longFirstToken = new AtomicReference<>();
            CountDownLatch longStarted = new CountDownLatch(1);
            Collector longOne = new Collector() {
                @Override
                public void onEvent(GenerationEvent event) {
                    super.onEvent(event);
                    if (event instanceof GenerationEvent.Token) {
                        longFirstToken.compareAndSet(null, System.nanoTime());
                    }
                }

                @Override
                public void onPromptChunk(int processed, int total) {
                    longStarted.countDown();
                }
            };
            core.submit(Cores.greedy("ab".repeat(1900), 1).build(), longOne);
            assertTrue(longStarted.await(30, TimeUnit.SECONDS), "the long prompt started");

            // when a short prompt arrives
            AtomicReference<Long> shortFirstToken = new AtomicReference<>();
            Collector shortOne = new Collector() {
                @Override
                public void onEvent(GenerationEvent event) {
                    super.onEvent(event);
                    if (event instanceof GenerationEvent.Token) {
                        shortFirstToken.compareAndSet(null, System.nanoTime());
                    }
                }
            };
            core.submit(Cores.greedy("abc", 3).build(), shortOne);

            // then its chunk goes first: it answers before the long prompt has its first token, and correctly
            shortOne.finished();
            longOne.finished();
            assertEquals("def", shortOne.text());
            assertTrue(shortFirstToken.get() < longFirstToken.get(), "the short prompt waited for the long one");
        }
    }

    @Test
    void promptsArrivingTogether_startInOneStep_withoutAPartOfALongPromptBesideThem() {
        // given a long prompt being processed, 64 tokens per step
        try (GenerationCore core = Cores.successor(Architecture.LLAMA, 16384, 4, 64)) {
            List<String> prompts = List.of("abc", "ghi", "mno");
            Set<Long> longChunkSteps = ConcurrentHashMap.newKeySet();
            Map<String, Long> firstTokenStep = new ConcurrentHashMap<>();
            List<Collector> shorts = new ArrayList<>();
            Collector longOne = new Collector() {
                @Override
                public void onPromptChunk(int processed, int total) {
                    longChunkSteps.add(core.loop().steps());
                    if (shorts.isEmpty()) {
                        // when three short prompts arrive at once (on the decode thread: before its next step)
                        for (String p : prompts) {
                            Collector c = new Collector() {
                                @Override
                                public void onEvent(GenerationEvent event) {
                                    super.onEvent(event);
                                    firstTokenStep.putIfAbsent(p, core.loop().steps());
                                }
                            };
                            shorts.add(c);
                            core.submit(Cores.greedy(p, 3).build(), c);
                        }
                    }
                }
            };
            core.submit(Cores.greedy("ab".repeat(1900), 1).build(), longOne);
            longOne.finished();

            // then all three get their first token in the same step, one without a chunk of the long prompt, and
            // each answers as it does alone
            assertEquals(List.of("def", "jkl", "pqr"), shorts.stream().map(Collector::text).toList());
            assertEquals(1, Set.copyOf(firstTokenStep.values()).size(), "first tokens in steps " + firstTokenStep);
            long shared = firstTokenStep.get("abc");
            assertFalse(longChunkSteps.contains(shared), "a chunk of the long prompt rode along in step " + shared);
            assertTrue(longChunkSteps.contains(shared + 1), "the long prompt went on in the next step");
        }
    }

    @Test
    void cancelWhileDecoding_fromAnotherThread_takesEffectWithinOneStep() throws InterruptedException {
        try (GenerationCore core = Cores.successor(Architecture.LLAMA, 4096, 2, 512)) {
            // given a generation that would run for 3000 tokens
            CountDownLatch fifth = new CountDownLatch(1);
            Collector c = new Collector() {
                @Override
                public void onEvent(GenerationEvent event) {
                    super.onEvent(event);
                    if (event instanceof GenerationEvent.Token t && t.completionTokens() == 5) {
                        fifth.countDown();
                    }
                }
            };
            Submission s = core.submit(Cores.greedy("abc", 3000).ignoreEos(true).build(), c);
            assertTrue(fifth.await(30, TimeUnit.SECONDS));

            // when cancelled from this thread
            s.cancel();
            int tokensAfterCancel = c.pieces().size();

            // then at most the step in flight adds a token, and the slot is free
            GenerationEvent.Finished f = c.finished();
            assertEquals(FinishReason.CANCELLED, f.reason());
            assertTrue(c.pieces().size() <= tokensAfterCancel + 1, c.pieces().size() + " after " + tokensAfterCancel);
            assertEquals(c.pieces().size(), f.completionTokens());
            assertEquals(0, core.status().busy());
            s.cancel();
            assertEquals(List.of(f), c.events.subList(c.events.size() - 1, c.events.size()), "cancelling again sends nothing");
        }
    }

    @Test
    void cancelAtAToken_endsBeforeTheNextStep() {
        try (GenerationCore core = Cores.successor(Architecture.QWEN3, 4096, 2, 512)) {
            // given a sink that cancels its generation when the fifth token arrives
            AtomicReference<Submission> self = new AtomicReference<>();
            Collector c = new Collector() {
                @Override
                public void onEvent(GenerationEvent event) {
                    super.onEvent(event);
                    if (event instanceof GenerationEvent.Token t && t.completionTokens() == 5) {
                        while (self.get() == null) {
                            Thread.onSpinWait();
                        }
                        self.get().cancel();
                    }
                }
            };
            self.set(core.submit(Cores.greedy("abc", 3000).ignoreEos(true).build(), c));

            // then no further token is sampled
            assertEquals(FinishReason.CANCELLED, c.reason());
            assertEquals(List.of("d", "e", "f", "g", "h"), c.pieces());
            assertEquals(5, c.finished().completionTokens());
        }
    }

    @Test
    void statusReportsEachSlotsPhase() {
        try (GenerationCore core = Cores.successor(Architecture.LLAMA, 8192, 2, CHUNK)) {
            assertEquals(List.of(SlotPhase.IDLE, SlotPhase.IDLE), core.status().slots().stream().map(SlotState::phase).toList());
            Collector decoding = new Collector();
            Submission d = core.submit(Cores.greedy("abc", 100000).ignoreEos(true).build(), decoding);
            Collector prefilling = new Collector();
            Submission p = core.submit(Cores.greedy("ab".repeat(1900), 8).build(), prefilling);
            while (p.promptProcessed() < 2 * CHUNK) {
                Thread.onSpinWait();
            }
            CoreStatus status = core.status();
            assertEquals(1, status.count(SlotPhase.DECODING), status.toString());
            assertEquals(1, status.count(SlotPhase.PREFILLING), status.toString());
            d.cancel();
            p.cancel();
            decoding.finished();
            prefilling.finished();
            assertEquals(0, core.status().busy());
        }
    }

    @Test
    void close_endsRunningGenerationsWithAnError_andRefusesNewOnes() {
        GenerationCore core = Cores.successor(Architecture.LLAMA, 4096, 2, 512);
        Collector running = new Collector();
        core.submit(Cores.greedy("abc", 4000).ignoreEos(true).build(), running);
        Collector submitted = new Collector();
        core.submit(Cores.greedy("w", 4000).ignoreEos(true).build(), submitted);

        core.close();

        assertEquals(FinishReason.ERROR, running.reason());
        assertEquals("the model was unloaded", running.finished().error());
        assertEquals(FinishReason.ERROR, submitted.reason());
        assertTrue(!core.isAlive());
        assertThrows(EngineFailureException.class, () -> core.submit(Cores.greedy("w", 8).build(), new Collector()));
        core.close();
    }

    @Test
    void aSinkThatThrows_cancelsOnlyItsOwnGeneration() {
        try (GenerationCore core = Cores.successor(Architecture.LLAMA, 4096, 2, 512)) {
            AtomicInteger calls = new AtomicInteger();
            Collector failing = new Collector() {
                @Override
                public void onEvent(GenerationEvent event) {
                    super.onEvent(event);
                    if (calls.incrementAndGet() == 2) {
                        throw new IllegalStateException("a broken consumer");
                    }
                }
            };
            core.submit(Cores.greedy("abc", 2000).ignoreEos(true).build(), failing);
            Collector other = Cores.run(core, Cores.greedy("w", 8).build());

            assertEquals(FinishReason.CANCELLED, failing.reason());
            assertEquals("xyz", other.text());
        }
    }

    @Test
    void sampling_withTheSameSeed_repeats_andWithAnotherSeed_differs() {
        GenerationRequest.Builder base = GenerationRequest.builder("abc").temperature(2).topK(0).topP(1).minP(0)
                .repeatPenalty(1).maxTokens(40).ignoreEos(true);
        try (GenerationCore core = Cores.load(RandomModels.qwen3(), 2048, 2, 512)) {
            String a = Cores.run(core, base.seed(42L).build()).text();
            String b = Cores.run(core, base.seed(42L).build()).text();
            String other = Cores.run(core, base.seed(7L).build()).text();
            assertEquals(a, b);
            assertNotEquals(a, other);
        }
    }

    @Test
    void randomWeights_concurrentGreedyOutputs_equalSoloOutputs() {
        // attention matters in a random model, so a mix-up of positions or sequences would change the tokens
        List<String> prompts = List.of("the quick brown fox", "a", "jumps over the lazy dog and keeps running", "hello");
        try (GenerationCore core = Cores.load(RandomModels.qwen3(), 4096, 4, 16)) {
            List<String> solo = new ArrayList<>();
            for (String p : prompts) {
                solo.add(Cores.run(core, Cores.greedy(p, 24).ignoreEos(true).build()).text());
            }
            List<Collector> together = new ArrayList<>();
            for (String p : prompts) {
                Collector c = new Collector();
                core.submit(Cores.greedy(p, 24).ignoreEos(true).build(), c);
                together.add(c);
            }
            for (int i = 0; i < prompts.size(); i++) {
                assertEquals(24, together.get(i).finished().completionTokens(), prompts.get(i));
                assertEquals(solo.get(i), together.get(i).text(), prompts.get(i));
            }
        }
    }
}
