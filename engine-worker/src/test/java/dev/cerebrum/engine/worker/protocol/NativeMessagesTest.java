package dev.cerebrum.engine.worker.protocol;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeMessagesTest {

    @Test
    void jsonErrorOfTheBinding_isReducedToItsMessage() {
        assertEquals("the request exceeds the available context size",
                NativeMessages.clean("{\"code\":400,\"message\":\"the request exceeds the available context size\",\"type\":\"x\"}"));
    }

    @Test
    void absolutePaths_areReplaced() {
        assertEquals("failed to open <file>: No such file",
                NativeMessages.clean("failed to open /home/me/models/secret.gguf: No such file"));
        assertEquals("cannot read <file>", NativeMessages.clean("cannot read C:\\models\\x.gguf"));
    }

    @Test
    void missingText_becomesUnknownError() {
        assertEquals("unknown error", NativeMessages.clean(null));
        assertEquals("unknown error", NativeMessages.clean("  "));
    }

    @Test
    void longText_isCut() {
        String cleaned = NativeMessages.clean("x".repeat(1000));
        assertTrue(cleaned.length() <= 301, "length " + cleaned.length());
    }
}
