package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.worker.WorkerModel;
import dev.cerebrum.engine.worker.testing.Events;
import dev.cerebrum.engine.worker.testing.Processes;
import dev.cerebrum.engine.worker.testing.WorkerLifecycleSuite;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The worker lifecycle suite on the java-llama.cpp engine, and its native output on stdout. */
class LlamaCppWorkerLifecycleIT extends WorkerLifecycleSuite {
    @Override
    protected String engineName() {
        return LlamaCppEngineProvider.NAME;
    }

    @Test
    void nativeOutputOnStdoutAndStderr_doesNotDisturbTheProtocol() throws Exception {
        WorkerModel model = (WorkerModel) engine(Map.of(LlamaCppEngine.NATIVE_LOG, "true")).load(oneSlot());

        Events events = Events.readAll(model.generate(abc()));

        assertEquals("defghijk", events.text());
        assertEquals(FinishReason.LENGTH, events.finished.reason());
        // llama.cpp logs well over a hundred lines while loading; they went to the log, not the protocol.
        Processes.awaitTrue(() -> model.workerOutputLines() > 50, Duration.ofSeconds(5));
    }
}
