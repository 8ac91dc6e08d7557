package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prefix reuse on the real library, with random weights (attention matters, so a wrong cell would change the
 * tokens): a prompt that shares a prefix with what a free slot holds processes only the rest, reports the reused
 * tokens, and returns exactly what it returns without reuse.
 */
class PrefixReuseIT {

    private static final String CONTEXT = "the quick brown fox jumps over the lazy dog and keeps running through the"
            + " forest while the sun sets behind the hills and the river flows into the sea ";

    private static GenerationRequest request(String prompt) {
        return Cores.greedy(prompt, 16).ignoreEos(true).build();
    }

    @Test
    void aPromptSharingAPrefixWithAFreeSlot_processesOnlyTheRest_andReturnsTheSameAsWithoutReuse() {
        String first = CONTEXT.repeat(4) + "first question: what is it?";
        String changed = CONTEXT.repeat(4) + "second question: where is it?";
        try (GenerationCore core = Cores.load(RandomModels.qwen3(), 4096, 2, 64)) {
            int promptTokens = core.countTokens(changed);
            // given the changed prompt's output on empty slots (nothing to reuse)
            Collector fresh = Cores.run(core, request(changed));
            assertEquals(0, fresh.finished().timings().cachedTokens());

            // when the first prompt runs, then the changed one again
            Collector other = Cores.run(core, request(first));
            Collector reused = Cores.run(core, request(changed));

            // then the first found the shared prefix in the slot the changed one left, and so did the changed one
            int firstCached = other.finished().timings().cachedTokens();
            int cached = reused.finished().timings().cachedTokens();
            System.out.printf("prompt of %d tokens: %d reused for the first, %d for the changed one; prompt %.1f ms"
                            + " fresh, %.1f ms reused%n", promptTokens, firstCached, cached,
                    fresh.finished().timings().promptMillis(), reused.finished().timings().promptMillis());
            assertTrue(firstCached > promptTokens / 2, firstCached + " of " + promptTokens);
            assertTrue(cached > promptTokens / 2 && cached < promptTokens, cached + " of " + promptTokens);
            assertEquals(fresh.text(), reused.text());
            assertEquals(fresh.finished().completionTokens(), reused.finished().completionTokens());
            assertEquals(fresh.finished().promptTokens(), reused.finished().promptTokens());
        }
    }

    @Test
    void theSamePromptAgain_reusesAllButItsLastToken_andRepeatsItsOutput() {
        String prompt = CONTEXT.repeat(2);
        try (GenerationCore core = Cores.load(RandomModels.qwen3(), 4096, 2, 64)) {
            int promptTokens = core.countTokens(prompt);
            Collector once = Cores.run(core, request(prompt));
            Collector again = Cores.run(core, request(prompt));

            assertEquals(promptTokens - 1, again.finished().timings().cachedTokens());
            assertEquals(once.text(), again.text());
        }
    }

    @Test
    void concurrentGenerations_afterReuse_stillReturnTheirSoloOutputs() {
        List<String> prompts = List.of(CONTEXT + "one", CONTEXT + "two");
        try (GenerationCore core = Cores.load(RandomModels.qwen3(), 4096, 2, 16)) {
            List<String> solo = prompts.stream().map(p -> Cores.run(core, request(p)).text()).toList();
            Collector a = new Collector();
            Collector b = new Collector();
            core.submit(request(prompts.get(0)), a);
            core.submit(request(prompts.get(1)), b);
            GenerationEvent.Finished fa = a.finished();
            GenerationEvent.Finished fb = b.finished();

            assertEquals(solo, List.of(a.text(), b.text()));
            assertTrue(fa.timings().cachedTokens() + fb.timings().cachedTokens() > 0, fa.timings() + " / " + fb.timings());
        }
    }
}
