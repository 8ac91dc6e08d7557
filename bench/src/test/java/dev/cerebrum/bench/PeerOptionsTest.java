package dev.cerebrum.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerOptionsTest {

    @Test
    void defaults_areTheIssuesWorkloads_onFourSlots() {
        PeerOptions o = PeerOptions.parse(List.of("--peer"));
        assertEquals(4, o.slots());
        assertEquals(List.of(1, 2, 4), o.concurrency());
        assertEquals(2000, o.longPrompt());
        assertEquals(1000, o.repeatPrompt());
        assertEquals(512, o.promptTokens());
        assertEquals(64, o.tokens());
        assertEquals(5, o.repetitions());
        assertEquals(20, o.probeRuns());
        assertEquals(Math.min(2, Runtime.getRuntime().availableProcessors()), o.threads());
        assertEquals(Path.of("bench-results", "models", PeerOptions.MODEL_FILE_NAME), o.model());
        assertFalse(o.modelGiven());
        assertNull(o.llamaServer());
        assertEquals(PeerOptions.NativesChoice.SAME_AS_PEER, o.nativesChoice());
        assertEquals("ffm", o.engine());
    }

    @Test
    void engine_isTheWorkerEngineByDefault_orTheInProcessOneOnRequest() {
        assertEquals("ffm-inprocess", PeerOptions.parse(List.of("--peer", "--engine", "ffm-inprocess")).engine());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerOptions.parse(List.of("--peer", "--engine",
                "llamacpp"))).getMessage().contains("--engine must be one of ffm, ffm-inprocess"));
    }

    @Test
    void natives_sameBuildByDefault_prebuiltOrAFolderOnRequest() {
        Path prebuilt = PeerOptions.parse(List.of("--peer", "--natives", "prebuilt")).natives();
        assertEquals(PeerOptions.parse(List.of("--peer")).natives(), prebuilt);
        assertEquals(PeerOptions.NativesChoice.PREBUILT,
                PeerOptions.parse(List.of("--peer", "--natives", "prebuilt")).nativesChoice());
        PeerOptions given = PeerOptions.parse(List.of("--peer", "--natives", "/opt/llama"));
        assertEquals(PeerOptions.NativesChoice.GIVEN, given.nativesChoice());
        assertEquals(Path.of("/opt/llama"), given.natives());
        // the last word counts: a folder, then the prebuilt natives again
        PeerOptions last = PeerOptions.parse(List.of("--peer", "--natives", "/opt/llama", "--natives", "prebuilt"));
        assertEquals(prebuilt, last.natives());
    }

    @Test
    void context_holdsTheLongestPromptAndTheTokensInEverySlot() {
        PeerOptions o = PeerOptions.parse(List.of("--peer"));
        // 2000 + 64 + 64 margin = 2128, rounded up to 2304 per slot
        assertEquals(4 * 2304, o.context());
        assertTrue(o.context() / o.slots() >= o.longPrompt() + o.tokens());
    }

    @Test
    void quick_shortensTheRun_butLaterOptionsStillApply() {
        PeerOptions o = PeerOptions.parse(List.of("--peer", "--quick", "--long-prompt", "700"));
        assertTrue(o.quick());
        assertEquals(1, o.repetitions());
        assertEquals(700, o.longPrompt());
        assertEquals(256, o.repeatPrompt());
    }

    @Test
    void givenBinaryAndModel_areUsedAsTheyAre() {
        PeerOptions o = PeerOptions.parse(List.of("--peer", "--llama-server", "/opt/llama-server", "--model", "m.gguf",
                "--concurrency", "1,4", "--threads", "1"));
        assertEquals(Path.of("/opt/llama-server"), o.llamaServer());
        assertTrue(o.modelGiven());
        assertEquals(List.of(1, 4), o.concurrency());
        assertEquals(1, o.threads());
    }

    @Test
    void badOptions_areRefusedWithAMessage() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerOptions.parse(List.of("--peer", "--cold-starts", "1")))
                .getMessage().contains("unknown option '--cold-starts'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerOptions.parse(List.of("--peer", "--slots", "1")))
                .getMessage().contains("two slots"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerOptions.parse(List.of("--peer", "--reps")))
                .getMessage().contains("needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PeerOptions.parse(List.of("--concurrency", "0")))
                .getMessage().contains("--concurrency"));
    }
}
