package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.worker.WorkerModel;
import dev.cerebrum.engine.worker.testing.LogCapture;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.WARNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a worker's output puts into the log, with the real native library. */
class WorkerLogIT {
    @TempDir
    Path workDir;

    @Test
    void grammarPrintedByNativeCode_staysAtDebug_evenInTheCrashReportOfAKilledWorker() throws Exception {
        try (LogCapture log = LogCapture.start();
             InferenceEngine engine = InferenceEngines.create("llamacpp", EngineOptions.of(workDir))) {
            WorkerModel model = (WorkerModel) engine.load(ModelSpec.of("successor", TestModels.successor(), 512, 1, 1));
            // llama.cpp prints a grammar it cannot parse, whole, to stderr (and then ignores it).
            String grammar = "root ::= \"d\" zqxjsecretrule";
            Events events = Events.readAll(model.generate(GenerationRequest.builder("abc").greedy().maxTokens(4)
                    .grammar(grammar).build()));
            assertEquals(FinishReason.LENGTH, events.finished.reason());

            ProcessHandle.of(model.pid()).orElseThrow().destroyForcibly();

            log.await(WARNING, "model worker for 'successor' exited unexpectedly (killed by signal 9)",
                    Duration.ofSeconds(10));
            log.await(DEBUG, "zqxjsecretrule", Duration.ofSeconds(10));
            assertTrue(log.atInfoOrAbove().stream().noneMatch(line -> line.contains("zqxj")),
                    log.atInfoOrAbove().toString());
        }
    }
}
