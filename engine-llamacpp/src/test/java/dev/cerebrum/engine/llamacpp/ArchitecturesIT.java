package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.spi.InferenceEngineProvider;
import dev.cerebrum.engine.ffm.Architectures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checked-in list of b4916's architectures against the binding's own library: every name of the current
 * llama.cpp's list (and a few that no llama.cpp knows) is offered to it, and exactly the listed ones are known.
 */
class ArchitecturesIT {

    @Test
    void theBindingKnowsExactlyTheListedArchitectures(@TempDir Path dir) throws Exception {
        // given every architecture the current llama.cpp knows, and two no llama.cpp knows
        List<String> candidates = new ArrayList<>(Architectures.supported());
        candidates.addAll(List.of("clip", "no-such-architecture"));
        Path names = Files.write(dir.resolve("names.txt"), candidates, StandardCharsets.UTF_8);

        // when the binding is asked about each, in a child process
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-Dde.kherud.llama.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
                "-cp", System.getProperty("java.class.path"), ArchitectureProbeMain.class.getName(),
                names.toString(), dir.resolve("probe.gguf").toString())
                .redirectErrorStream(true).start();
        List<String> output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));

        // then the names it does not call unknown are the listed ones
        Set<String> known = new TreeSet<>();
        String current = null;
        Set<String> unknown = new TreeSet<>();
        for (String line : output) {
            if (line.startsWith("### ")) {
                current = line.substring(4);
                known.add(current);
            } else if (current != null && line.contains("unknown model architecture: '" + current + "'")) {
                unknown.add(current);
            }
        }
        assertEquals(candidates.size(), known.size(), "every name was tried: " + output);
        known.removeAll(unknown);
        InferenceEngineProvider provider = new LlamaCppEngineProvider();
        assertEquals(provider.architectures(), known);
        assertEquals(60, known.size());
    }

    @Test
    void everyArchitectureOfTheOldEngine_isOneTheFfmEngineLoads() {
        Set<String> missing = new TreeSet<>(new LlamaCppEngineProvider().architectures());
        missing.removeAll(Architectures.supported());
        assertEquals(Set.of(), missing);
    }
}
