package dev.cerebrum.engine.ffm;

import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** llama.cpp's log goes to the logger cerebrum.llama, line by line, at mapped levels, and never to stdout. */
class NativeLogIT {

    @Test
    void loadingAModel_logsThroughTheLogger_withLlamaLevelsMapped() {
        LlamaRuntime runtime = TestNatives.runtime();
        try (NativeLogCapture log = new NativeLogCapture()) {
            // a context larger than the trained one makes llama.cpp warn
            GenerationCore.load(runtime, new CoreConfig(TestModels.successor(), 2048, 1, 1, 1, 512, 512, 512, false, true, 0))
                    .close();

            List<LogRecord> records = log.records;
            assertTrue(records.stream().anyMatch(r -> r.getMessage().contains("CPU KV buffer size")
                    && r.getLevel() == Level.FINE), "INFO lines arrive as DEBUG");
            assertTrue(records.stream().anyMatch(r -> r.getMessage().contains("n_ctx_seq (2048) > n_ctx_train (512)")
                    && r.getLevel() == Level.WARNING), "WARN lines arrive as WARNING");
            assertTrue(records.stream().noneMatch(r -> r.getMessage().contains("\n") || r.getMessage().isBlank()),
                    "one record per line");
        }
    }

    @Test
    void aWorkerJvm_writesNothingToStdoutOrStderr() throws IOException, InterruptedException {
        // given a child JVM that loads the natives and a model, generates, and fails a grammar (all logged natively)
        Path natives = TestNatives.folder();
        Path out = Files.createTempFile("child", ".out");
        Path err = Files.createTempFile("child", ".err");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                NativeLogChild.class.getName(), natives.toString(), TestModels.successor().toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();

        // when it ends
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child ended");

        // then the native log reached the logger, stdout stayed empty, and stderr holds only the grammar parser's
        // message, which llama.cpp prints with fprintf(stderr) past the log callback (src/llama-grammar.cpp)
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), "the native log reached the logger; stderr: " + stderr);
        assertEquals("", stdout);
        assertTrue(stderr.startsWith("parse: error parsing grammar"), stderr);
        assertTrue(stderr.lines().allMatch(l -> l.isBlank() || l.startsWith("parse: error parsing grammar")
                || l.equals("root ::= (")), stderr);
        Files.delete(out);
        Files.delete(err);
    }
}
