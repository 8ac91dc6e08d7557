package dev.cerebrum.guard;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SafeTest {
    @Test
    void absolutePaths_becomeFileNames() {
        assertEquals("bad magic in model.gguf", Safe.message("bad magic in /srv/cerebrum/models/model.gguf"));
        assertEquals("'a.gguf' and b.gguf: failed", Safe.message("'/x/y/a.gguf' and /p/q/b.gguf: failed"));
        assertEquals("folder models", Safe.message("folder /srv/models/"));
    }

    @Test
    void relativeTextAndUrlsLikeRatios_stayAsTheyAre() {
        assertEquals("3/4 slots busy, ratio a/b", Safe.message("3/4 slots busy, ratio a/b"));
    }

    @Test
    void lineBreaksAndBlankMessages_areFlattened() {
        assertEquals("first second", Safe.message("first\n  second"));
        assertEquals("unknown error", Safe.message(null));
        assertEquals("unknown error", Safe.message("  "));
    }
}
