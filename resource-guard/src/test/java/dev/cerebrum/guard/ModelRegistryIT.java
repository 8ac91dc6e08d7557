package dev.cerebrum.guard;

import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.cerebrum.guard.RealEngine.greedy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A realistic registry file read with the real engine: good, missing, not-GGUF and truncated entries. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ModelRegistryIT {
    @TempDir
    Path dir;

    @Test
    void realisticRegistry_listsBrokenEntriesUnavailable_andServesTheGoodOne() throws Exception {
        // given a models folder with a real model, a text file named .gguf and a truncated GGUF
        Path models = Files.createDirectory(dir.resolve("models"));
        Files.copy(TestModels.successor(), models.resolve("successor-q.gguf"));
        Files.writeString(models.resolve("notes.gguf"), "this is not a model\n");
        byte[] real = Files.readAllBytes(TestModels.successor());
        Files.write(models.resolve("truncated.gguf"), Arrays.copyOf(real, 200));
        Path yaml = models.resolve("models.yaml");
        Files.writeString(yaml, """
                # the models this server may load
                models:
                  qwen_7b:
                    path: successor-q.gguf
                    ctx_size: 1024
                    threads: 1
                    parallel: 2
                    idle_unload_minutes: 60
                    pinned: false
                  codellama_7b:
                    path: codellama-7b-q4.gguf
                    ctx_size: 4096
                  notes:
                    path: notes.gguf
                  truncated:
                    path: truncated.gguf
                """);
        GuardSettings settings = TestSupport.quietSettings().withModelsFile(yaml).withModelsDir(models);
        ModelRegistry registry = ModelRegistry.load(settings);
        assertTrue(registry.problems().isEmpty(), registry.problems().toString());
        try (InferenceEngine engine = RealEngine.create(dir.resolve("engine"));
             ModelManager manager = ModelManager.create(engine, registry, settings,
                     new TestSupport.TestHost(() -> 0))) {
            // then every entry is listed, the broken ones unavailable with file names only
            Map<String, ModelStatus> byName = manager.models().stream()
                    .collect(Collectors.toMap(ModelStatus::name, s -> s));
            assertEquals(4, byName.size());
            byName.values().forEach(s -> System.out.println(s.name() + ": " + s.reason()));
            assertTrue(byName.get("qwen_7b").available());
            assertNull(byName.get("qwen_7b").reason());
            assertEquals(2, byName.get("qwen_7b").parallel());
            assertTrue(byName.get("qwen_7b").estimateBytes() > 0);
            assertUnavailable(byName.get("codellama_7b"), "'codellama-7b-q4.gguf' not found");
            assertUnavailable(byName.get("notes"), "'notes.gguf' is not a usable GGUF model");
            assertUnavailable(byName.get("truncated"), "'truncated.gguf' is not a usable GGUF model");
            ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                    () -> manager.submit("notes", greedy("w")));
            assertFalse(e.getMessage().contains(dir.toString()), e.getMessage());
            // and the good one serves its known answer
            try (Generation g = manager.submit("qwen_7b", greedy("abc"))) {
                assertEquals("defghijk", g.await().text());
            }
        }
    }

    private void assertUnavailable(ModelStatus s, String expected) {
        assertFalse(s.available(), s.name());
        assertTrue(s.reason().contains(expected), s.reason());
        assertFalse(s.reason().contains(dir.toString()), s.reason());
        assertFalse(s.reason().contains("/"), s.reason());
        assertEquals(ModelState.UNLOADED, s.state());
    }

    @Test
    void modelsFileThatIsNotYaml_isReported_andTheServerRunsWithNoModels() throws IOException {
        Path yaml = dir.resolve("models.yaml");
        Files.writeString(yaml, "models:\n\tqwen: {path: a.gguf\n");
        ModelRegistry registry = ModelRegistry.load(TestSupport.quietSettings().withModelsFile(yaml)
                .withModelsDir(dir));
        assertTrue(registry.entries().isEmpty());
        assertEquals(1, registry.problems().size());
        assertTrue(registry.problems().get(0).startsWith("models file 'models.yaml' is not valid YAML"),
                registry.problems().get(0));
    }
}
