package dev.cerebrum.bench;

import dev.cerebrum.engine.ffm.FfmEngineProvider;
import dev.cerebrum.gguf.GgmlType;
import dev.cerebrum.gguf.ModelShape;
import dev.cerebrum.gguf.RandomModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peer comparison for real on a tiny random model: the server in a child JVM over loopback, and llama-server
 * when one was built before (the build takes minutes, so this test never starts it).
 */
class PeerSmokeIT {

    private static Path tinyModel(Path dir) {
        Path model = dir.resolve("tiny.gguf");
        RandomModel.write(model, new ModelShape(2, 128, 256, 4, 4, 1000, 4096), GgmlType.Q8_0, 7);
        return model;
    }

    private static void requireTheFfmLibraries() {
        Path natives = FfmEngineProvider.defaultNativesFolder();
        boolean present;
        try (var files = Files.list(natives)) {
            present = files.anyMatch(f -> f.getFileName().toString().startsWith("libllama"));
        } catch (java.io.IOException e) {
            present = false;
        }
        Assumptions.assumeTrue(present, "the ffm engine's llama.cpp libraries are not in " + natives);
    }

    private static String run(Path dir, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--peer", "--quick", "--tokens", "8", "--prompt-tokens", "32",
                "--long-prompt", "200", "--repeat-prompt", "100", "--concurrency", "1,2", "--model",
                tinyModel(dir).toString(), "--out", dir.resolve("out").toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int status = new PeerBench(PeerOptions.parse(args), new PrintStream(console, true, StandardCharsets.UTF_8)).run();
        String printed = console.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed);
        assertTrue(Files.size(dir.resolve("out").resolve("peer-concurrency.png")) > 1000);
        return Files.readString(dir.resolve("out").resolve("peer-report.md"));
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void withoutLlamaServer_thePeerIsSkippedWithItsReason_andOurServerIsMeasured_onTheInProcessEngine(@TempDir Path dir) throws Exception {
        requireTheFfmLibraries();
        String report = run(dir, "--llama-server", dir.resolve("no-such-llama-server").toString(),
                "--engine", "ffm-inprocess");

        assertTrue(report.contains("- Cerebrum: the ffm-inprocess engine (models in the server's process)"), report);
        assertTrue(report.contains("- llama-server: **skipped**: --llama-server " + dir.resolve("no-such-llama-server")
                + " is not an executable file"), report);
        // the single stream generated its 8 tokens: a decode rate, and the repeated prompt's two first tokens
        assertTrue(report.matches("(?s).*\\| single stream: decode tokens/s, 8 tokens \\| \\d+\\.\\d \\| skipped \\|.*"), report);
        assertTrue(report.matches("(?s).*\\| 2 streams: aggregate tokens/s \\| \\d+\\.\\d \\| skipped \\|.*"), report);
        // no build to share: the engine ran on the prebuilt natives, and the raw loop measured its decode
        assertTrue(report.contains("ran on the prebuilt natives (`" + FfmEngineProvider.defaultNativesFolder()), report);
        assertTrue(report.matches("(?s).*\\| raw loop \\(d\\) \\| \\d+\\.\\d\\d \\|.*"), report);
        assertFalse(report.contains("failed, and was not measured further"), report);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void withABuiltLlamaServer_bothServersAreMeasuredSideBySide(@TempDir Path dir) throws Exception {
        requireTheFfmLibraries();
        // where bench/peer/build-llama-server.sh caches it: under the pinned version, as the natives are
        String version = FfmEngineProvider.defaultNativesFolder().getParent().getFileName().toString();
        Path binary = Path.of(System.getProperty("user.home"), ".cache", "cerebrum", "llama-server", version,
                "llama-server");
        Assumptions.assumeTrue(Files.isExecutable(binary), "no llama-server was built (bench/peer/build-llama-server.sh)");
        String report = run(dir, "--llama-server", binary.toString());

        assertTrue(report.matches("(?s).*\\| single stream: decode tokens/s, 8 tokens \\| \\d+\\.\\d \\| \\d+\\.\\d \\|.*"),
                report);
        // llama-server's prompt cache reused the repeated prompt's first line
        assertTrue(report.matches("(?s).*\\| … prompt tokens of the second taken from the cache \\| [^|]+ \\| \\d+ of \\d+ \\|.*"),
                report);
        assertFalse(report.contains("failed, and was not measured further"), report);
        assertFalse(report.contains("did not generate exactly"), report);
        // the build script's folder holds the shared libraries: our server and the raw loop ran on them
        if (PeerNatives.sharedBuild(binary.getParent())) {
            assertTrue(report.contains("ran on the same build as llama-server (`" + binary.getParent() + "`)"), report);
        }
        assertTrue(report.matches("(?s).*\\| raw loop \\(d\\) \\| \\d+\\.\\d\\d \\|.*"), report);
        assertTrue(report.contains("- ours over HTTP − raw loop: "), report);
    }
}
