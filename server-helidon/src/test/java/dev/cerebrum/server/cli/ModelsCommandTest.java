package dev.cerebrum.server.cli;

import dev.cerebrum.gguf.ModelShape.Architecture;
import dev.cerebrum.gguf.SuccessorModel;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelsCommandTest {

    @TempDir
    Path work;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return ModelsCommand.run(List.of(args), env, work, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The table line of a model, split on runs of two or more spaces. */
    private List<String> line(String name) {
        return out().lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Arrays.asList(l.split(" {2,}"))).orElseThrow(() -> new AssertionError("no line for " + name + " in\n" + out()));
    }

    @Test
    void list_showsEachModelsStateOnDisk() throws IOException {
        // given a registry with a real GGUF, a missing file, a text file and an entry without a path
        Path models = Files.createDirectories(work.resolve("models"));
        SuccessorModel.write(models.resolve("tiny.gguf"));
        Files.writeString(models.resolve("notes.gguf"), "this is not a model");
        Files.writeString(models.resolve("models.yaml"), """
                models:
                  tiny:
                    path: tiny.gguf
                    ctx_size: 256
                    parallel: 2
                  gone:
                    path: gone.gguf
                  text:
                    path: notes.gguf
                  nopath:
                    ctx_size: 512
                """);

        // when
        int status = run(Map.of(), "list");

        // then each state is named, the real model has an estimate, and the problems make the status non-zero
        assertEquals(ModelsCommand.PROBLEMS, status, out());
        assertTrue(out().startsWith("registry: models/models.yaml (4 models)"), out());
        List<String> tiny = line("tiny");
        assertEquals(List.of("tiny", "present", "ffm", "models/tiny.gguf"), tiny.subList(0, 4));
        assertEquals(List.of("256", "2", "1"), tiny.subList(5, 8));
        assertTrue(tiny.get(8).endsWith("MiB"), tiny.toString());
        assertTrue(tiny.get(9).startsWith("llama F32"), tiny.toString());
        assertEquals("missing", line("gone").get(1));
        assertEquals(List.of("text", "not-a-GGUF", "ffm", "models/notes.gguf"), line("text").subList(0, 4));
        assertEquals("invalid-entry", line("nopath").get(1));
        assertTrue(line("nopath").getLast().contains("path is required"), line("nopath").toString());
    }

    @Test
    void list_withoutRegistryFile_explainsTheDemoRegistryAndIsNotAnError() {
        // given no models/models.yaml and no demo model generated yet
        // when
        int status = run(Map.of(), "list");

        // then
        assertEquals(ModelsCommand.OK, status, out());
        assertTrue(out().contains("demo registry is used"), out());
        assertEquals(List.of("demo", "missing", "ffm", "models/demo.gguf"), line("demo").subList(0, 4));
    }

    @Test
    void list_followsTheModelsSettingsOfTheEnvironment() throws IOException {
        // given a registry outside the default place, named by the environment
        Path dir = Files.createDirectories(work.resolve("elsewhere"));
        SuccessorModel.write(dir.resolve("m.gguf"));
        Files.writeString(dir.resolve("reg.yaml"), "models:\n  m:\n    path: m.gguf\n");

        // when
        int status = run(Map.of("CEREBRUM_MODELS_FILE", "elsewhere/reg.yaml", "CEREBRUM_MODELS_DIR", "elsewhere",
                "CEREBRUM_CTX_SIZE", "1024", "CEREBRUM_N_THREADS", "3"), "list");

        // then the entry without its own settings takes the environment's defaults
        assertEquals(ModelsCommand.OK, status, out());
        assertEquals(List.of("m", "present", "ffm", "elsewhere/m.gguf"), line("m").subList(0, 4));
        assertEquals(List.of("1024", "1", "3"), line("m").subList(5, 8));
    }

    @Test
    void list_showsEachModelsEngine_andAModelItsEngineCannotLoad_asAProblem() throws IOException {
        // given a qwen3 model on the old engine, the same on the default engine, and a llama model on the old one
        Path models = Files.createDirectories(work.resolve("models"));
        Files.copy(TestModels.successor(Architecture.QWEN3), models.resolve("coder.gguf"));
        SuccessorModel.write(models.resolve("tiny.gguf"));
        Files.writeString(models.resolve("models.yaml"), """
                models:
                  old-coder:
                    path: coder.gguf
                    engine: llamacpp
                  coder:
                    path: coder.gguf
                  tiny:
                    path: tiny.gguf
                    engine: llamacpp
                """);

        // when
        int status = run(Map.of(), "list");

        // then the engine of each is shown, and the one the old engine cannot load says which can
        assertEquals(ModelsCommand.PROBLEMS, status, out());
        assertTrue(out().contains("default engine: ffm (CEREBRUM_ENGINE); engines present: "), out());
        assertEquals("llamacpp", line("old-coder").get(2));
        assertTrue(line("old-coder").get(9).startsWith("qwen3 F32; the llamacpp engine cannot load qwen3: use engine:"
                + " ffm"), line("old-coder").toString());
        assertEquals("ffm", line("coder").get(2));
        assertEquals("qwen3 F32", line("coder").get(9));
        assertEquals("llama F32", line("tiny").get(9));
    }

    @Test
    void list_resolvesItsSettingsAsTheServerDoes_configFileAndDotEnvIncluded() throws IOException {
        // given the registry named in a YAML file that .env names, and a default context in .env
        Path dir = Files.createDirectories(work.resolve("conf"));
        SuccessorModel.write(dir.resolve("m.gguf"));
        Files.writeString(dir.resolve("reg.yaml"), "models:\n  m:\n    path: m.gguf\n");
        Files.writeString(work.resolve("cerebrum.yaml"), "cerebrum:\n  models-file: conf/reg.yaml\n"
                + "  models-dir: conf\n  ctx-size: 999\n");
        Files.writeString(work.resolve(".env"), "CEREBRUM_CONFIG_FILE=cerebrum.yaml\nCEREBRUM_CTX_SIZE=768 # mine\n");

        // when
        int status = run(Map.of(), "list");

        // then the YAML file names the registry, and .env wins over it for the context
        assertEquals(ModelsCommand.OK, status, out());
        assertEquals(List.of("m", "present", "ffm", "conf/m.gguf"), line("m").subList(0, 4));
        assertEquals("768", line("m").get(5));
    }

    @Test
    void aSettingOutOfTheTablesBounds_isAUsageError_namingIt() {
        int status = run(Map.of("CEREBRUM_CTX_SIZE", "262144"), "list");

        assertEquals(ModelsCommand.USAGE, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("CEREBRUM_CTX_SIZE must be an integer from 16 to"
                + " 131072"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void inspect_printsMetadataAndTheEstimateForTheGivenContextAndSlots() throws IOException {
        // given
        Path file = work.resolve("successor.gguf");
        SuccessorModel.write(file);

        // when
        int status = run(Map.of(), "inspect", file.toString(), "--ctx", "4096", "--parallel", "4");

        // then
        assertEquals(ModelsCommand.OK, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(out().contains("architecture:    llama"), out());
        assertTrue(out().contains("estimated RAM for context 4096, 4 slots"), out());
        assertTrue(out().contains("general.architecture = \"llama\""), out());
        assertTrue(out().contains("\nengines:\n"), out());
        assertTrue(out().lines().anyMatch(l -> l.startsWith("  ffm            loads llama, estimated RAM ")
                && l.endsWith("; the default engine")), out());
        assertTrue(out().lines().anyMatch(l -> l.startsWith("  llamacpp       loads llama, estimated RAM ")), out());
    }

    @Test
    void inspect_ofAQwen3Model_saysWhichEnginesLoadIt() throws IOException {
        int status = run(Map.of(), "inspect", TestModels.successor(Architecture.QWEN3).toString());

        assertEquals(ModelsCommand.OK, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(out().contains("architecture:    qwen3"), out());
        assertTrue(out().lines().anyMatch(l -> l.startsWith("  ffm            loads qwen3, estimated RAM ")), out());
        assertTrue(out().lines().anyMatch(l -> l.startsWith("  ffm-inprocess  loads qwen3, estimated RAM ")
                && !l.endsWith("; the default engine")), out());
        assertTrue(out().lines().anyMatch(l -> l.startsWith("  llamacpp       cannot load qwen3; llama.cpp b4916")), out());
    }

    @Test
    void inspect_estimateGrowsWithTheContext() throws IOException {
        // given
        Path file = work.resolve("successor.gguf");
        SuccessorModel.write(file);

        // when
        run(Map.of(), "inspect", file.toString(), "--ctx", "512");
        String small = kvCache(out());
        out.reset();
        run(Map.of(), "inspect", file.toString(), "--ctx", "8192");
        String large = kvCache(out());

        // then
        assertTrue(Double.parseDouble(large) > Double.parseDouble(small), small + " vs " + large);
    }

    private static String kvCache(String text) {
        return text.lines().filter(l -> l.strip().startsWith("KV cache:")).findFirst().orElseThrow()
                .replaceAll(".*:\\s+([0-9.]+) MiB.*", "$1");
    }

    @Test
    void inspect_ofATextFile_saysItIsNotAGguf() throws IOException {
        // given
        Path file = Files.writeString(work.resolve("readme.gguf"), "hello");

        // when
        int status = run(Map.of(), "inspect", file.toString());

        // then
        assertEquals(ModelsCommand.PROBLEMS, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("readme.gguf is not a GGUF file"));
        assertFalse(err.toString(StandardCharsets.UTF_8).contains(work.toString()), "no absolute path in the message");
    }

    @Test
    void inspect_ofATruncatedGguf_reportsItWithoutAStackTrace() throws IOException {
        // given the first 100 bytes of a real model
        Path whole = work.resolve("whole.gguf");
        SuccessorModel.write(whole);
        Path cut = Files.write(work.resolve("cut.gguf"), Arrays.copyOf(Files.readAllBytes(whole), 100));

        // when
        int status = run(Map.of(), "inspect", cut.toString());

        // then
        assertEquals(ModelsCommand.PROBLEMS, status);
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("cerebrum: cut.gguf"), message);
        assertFalse(message.contains("\tat "), message);
    }

    @Test
    void badArguments_giveUsageAndStatusTwo() {
        assertEquals(ModelsCommand.USAGE, run(Map.of(), "inspect"));
        assertEquals(ModelsCommand.USAGE, run(Map.of(), "inspect", "a.gguf", "--ctx"));
        assertEquals(ModelsCommand.USAGE, run(Map.of(), "inspect", "a.gguf", "--ctx", "lots"));
        assertEquals(ModelsCommand.USAGE, run(Map.of(), "frobnicate"));
        assertEquals(ModelsCommand.USAGE, run(Map.of("CEREBRUM_CTX_SIZE", "0"), "list"));
    }
}
