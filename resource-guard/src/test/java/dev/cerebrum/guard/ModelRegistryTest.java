package dev.cerebrum.guard;

import dev.cerebrum.engine.ModelSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelRegistryTest {
    @TempDir
    Path dir;
    private GuardSettings settings;

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(dir.resolve("a.gguf"), "GGUF");
        Files.writeString(dir.resolve("b.gguf"), "GGUF");
        settings = GuardSettings.defaults().withModelsDir(dir).withModelsFile(dir.resolve("models.yaml"))
                .withDefaultThreads(3).withIdleUnloadMinutes(45).withDefaultContextSize(1024);
    }

    private ModelRegistry parse(String yaml) throws IOException {
        Files.writeString(settings.modelsFile(), yaml);
        return ModelRegistry.load(settings);
    }

    private String reasonOf(ModelRegistry registry, String name) {
        ModelEntry e = registry.find(name).orElseThrow();
        assertFalse(e.available(), name + " should be unavailable");
        ModelEntry.Broken broken = assertInstanceOf(ModelEntry.Broken.class, e);
        assertFalse(broken.reason().contains(dir.toString()), broken.reason());
        assertFalse(broken.reason().contains("/"), broken.reason());
        return broken.reason();
    }

    private static ModelSpec specOf(ModelRegistry registry, String name) {
        return assertInstanceOf(ModelEntry.Usable.class, registry.find(name).orElseThrow()).spec();
    }

    @Test
    void fullEntry_isReadWithEveryKey() throws IOException {
        ModelRegistry r = parse("""
                models:
                  qwen_7b:
                    path: a.gguf
                    ctx_size: 4096
                    threads: 2
                    parallel: 4
                    idle_unload_minutes: 0
                    pinned: true
                    batch_size: 256
                    seed: 7
                    engine: llamacpp
                """);
        assertTrue(r.problems().isEmpty(), r.problems().toString());
        assertFalse(r.isDemo());
        ModelEntry e = r.find("qwen_7b").orElseThrow();
        assertTrue(e.available());
        ModelSpec spec = specOf(r, "qwen_7b");
        assertEquals(dir.resolve("a.gguf"), spec.path());
        assertEquals(4096, spec.contextSize());
        assertEquals(2, spec.threads());
        assertEquals(2, spec.batchThreads());
        assertEquals(4, spec.parallel());
        assertEquals(256, spec.batchSize());
        assertEquals(7, spec.seed());
        assertEquals(0, e.idleUnloadMinutes());
        assertTrue(e.pinned());
        assertEquals(java.util.Optional.of("llamacpp"), e.engine());
    }

    @Test
    void engine_isOptional_andMustBeAName() throws IOException {
        ModelRegistry r = parse("models:\n  plain:\n    path: a.gguf\n  bad:\n    path: a.gguf\n    engine: [x]\n"
                + "  upper:\n    path: a.gguf\n    engine: FFM\n");
        assertEquals(java.util.Optional.empty(), r.find("plain").orElseThrow().engine());
        assertEquals("engine must be an engine's name, for example ffm or llamacpp", reasonOf(r, "bad"));
        assertEquals("engine must be an engine's name, for example ffm or llamacpp", reasonOf(r, "upper"));
    }

    @Test
    void minimalEntry_takesTheDefaults_threadsForBothGenerationAndPrompt() throws IOException {
        ModelRegistry r = parse("models:\n  m:\n    path: b.gguf\n");
        ModelEntry e = r.find("m").orElseThrow();
        ModelSpec spec = specOf(r, "m");
        assertEquals(3, spec.threads());
        assertEquals(3, spec.batchThreads());
        assertEquals(1024, spec.contextSize());
        assertEquals(1, spec.parallel());
        assertEquals(45, e.idleUnloadMinutes());
        assertFalse(e.pinned());
    }

    @Test
    void absolutePath_isAccepted() throws IOException {
        Path elsewhere = Files.createDirectory(dir.resolve("other"));
        Files.writeString(elsewhere.resolve("c.gguf"), "GGUF");
        ModelRegistry r = parse("models:\n  c:\n    path: " + elsewhere.resolve("c.gguf") + "\n");
        assertEquals(elsewhere.resolve("c.gguf"), specOf(r, "c").path());
    }

    @Test
    void brokenEntries_areListedUnavailable_besideGoodOnes() throws IOException {
        ModelRegistry r = parse("""
                models:
                  good:
                    path: a.gguf
                  missing:
                    path: nowhere/missing.gguf
                  unknown_key:
                    path: a.gguf
                    gpu_layers: 10
                  bad_value:
                    path: a.gguf
                    parallel: 0
                  too_long:
                    path: a.gguf
                    ctx_size: 262144
                  wrong_type:
                    path: a.gguf
                    ctx_size: big
                  pinned_type:
                    path: a.gguf
                    pinned: "maybe"
                  float_value:
                    path: a.gguf
                    threads: 1.5
                  too_small:
                    path: a.gguf
                    ctx_size: 32
                    parallel: 4
                  no_path:
                    ctx_size: 512
                  not_a_mapping: a.gguf
                  directory:
                    path: .
                  null_value:
                    path: a.gguf
                    seed:
                """);
        assertTrue(r.find("good").orElseThrow().available());
        assertTrue(reasonOf(r, "missing").contains("'missing.gguf' not found"));
        assertTrue(reasonOf(r, "unknown_key").contains("unknown key 'gpu_layers'"));
        assertTrue(reasonOf(r, "bad_value").contains("parallel must be between 1 and 64"));
        // the bounds of CEREBRUM_CTX_SIZE, whose upper one is the largest context an engine accepts
        assertTrue(reasonOf(r, "too_long").contains("ctx_size must be between 16 and 131072"));
        assertTrue(reasonOf(r, "wrong_type").contains("ctx_size must be an integer"));
        assertTrue(reasonOf(r, "pinned_type").contains("pinned must be true or false"));
        assertTrue(reasonOf(r, "float_value").contains("threads must be an integer"));
        assertTrue(reasonOf(r, "too_small").contains("too small for 4 slots"));
        assertTrue(reasonOf(r, "no_path").contains("path is required"));
        assertTrue(reasonOf(r, "not_a_mapping").contains("mapping"));
        assertTrue(reasonOf(r, "directory").contains("not a regular file"));
        assertTrue(reasonOf(r, "null_value").contains("seed must be an integer"));
        assertEquals(13, r.entries().size());
        // only an entry whose settings are valid keeps its spec, so that it recovers when its file is put right
        assertEquals(ModelEntry.Problem.FILE_MISSING, problemOf(r, "missing"));
        assertEquals(dir.resolve("nowhere/missing.gguf"), ((ModelEntry.Broken) r.find("missing").orElseThrow())
                .spec().orElseThrow().path());
        assertEquals(ModelEntry.Problem.NOT_A_FILE, problemOf(r, "directory"));
        for (String invalid : List.of("unknown_key", "bad_value", "wrong_type", "pinned_type", "float_value",
                "too_small", "too_long", "no_path", "not_a_mapping", "null_value")) {
            assertEquals(ModelEntry.Problem.INVALID_ENTRY, problemOf(r, invalid), invalid);
            assertTrue(((ModelEntry.Broken) r.find(invalid).orElseThrow()).spec().isEmpty(), invalid);
        }
        assertTrue(r.problems().isEmpty(), r.problems().toString());
    }

    private static ModelEntry.Problem problemOf(ModelRegistry registry, String name) {
        return assertInstanceOf(ModelEntry.Broken.class, registry.find(name).orElseThrow()).problem();
    }

    @Test
    void invalidYaml_isReportedClearly_andNoModelsAreRegistered() throws IOException {
        ModelRegistry r = parse("models:\n  m:\n    path: [a.gguf\n");
        assertTrue(r.entries().isEmpty());
        assertEquals(1, r.problems().size());
        String problem = r.problems().get(0);
        assertTrue(problem.contains("'models.yaml' is not valid YAML") && problem.contains("line"), problem);
        assertFalse(problem.contains(dir.toString()), problem);
    }

    @Test
    void duplicateModelName_isAFileProblem() throws IOException {
        ModelRegistry r = parse("models:\n  m:\n    path: a.gguf\n  m:\n    path: b.gguf\n");
        assertTrue(r.entries().isEmpty());
        assertTrue(r.problems().get(0).contains("not valid YAML"), r.problems().toString());
    }

    @Test
    void wrongShapes_areFileProblems() throws IOException {
        assertTrue(parse("- a\n- b\n").problems().get(0).contains("must be a mapping"));
        assertTrue(parse("models: [a, b]\n").problems().get(0).contains("'models' must be a mapping"));
        assertTrue(parse("").problems().get(0).contains("empty"));
        ModelRegistry extra = parse("models:\n  m:\n    path: a.gguf\nservers: 3\n");
        assertTrue(extra.find("m").orElseThrow().available());
        assertTrue(extra.problems().get(0).contains("unknown top-level key 'servers'"));
    }

    @Test
    void invalidModelName_isReportedAndSkipped() throws IOException {
        ModelRegistry r = parse("models:\n  \"../etc\":\n    path: a.gguf\n  ok:\n    path: a.gguf\n");
        assertEquals(1, r.entries().size());
        assertTrue(r.problems().get(0).contains("model name '../etc' is invalid"), r.problems().toString());
    }

    @Test
    void binaryFile_isReportedAsNotUtf8() throws IOException {
        Files.write(settings.modelsFile(), new byte[] {(byte) 0xC3, (byte) 0x28, 0x0A});
        ModelRegistry r = ModelRegistry.load(settings);
        assertTrue(r.entries().isEmpty());
        assertTrue(r.problems().get(0).contains("not UTF-8"), r.problems().toString());
    }

    @Test
    void absentFile_meansTheDemoRegistry() {
        ModelRegistry r = ModelRegistry.load(settings.withModelsFile(dir.resolve("absent.yaml")));
        assertTrue(r.isDemo());
        assertTrue(r.problems().isEmpty());
        ModelEntry demo = r.find("demo").orElseThrow();
        assertFalse(demo.available());
        assertEquals(ModelEntry.Problem.FILE_MISSING, problemOf(r, "demo"));
        assertTrue(reasonOf(r, "demo").contains("'demo.gguf' not found"));
    }

    @Test
    void demoRegistry_withItsFile_isUsable() throws IOException {
        Files.writeString(dir.resolve("demo.gguf"), "GGUF");
        ModelRegistry r = ModelRegistry.load(settings.withModelsFile(dir.resolve("absent.yaml")));
        ModelEntry demo = r.find("demo").orElseThrow();
        assertTrue(demo.available());
        ModelSpec spec = specOf(r, "demo");
        assertNotNull(spec);
        assertEquals(512, spec.contextSize());
        assertEquals(2, spec.parallel());
        assertEquals(3, spec.threads());
    }

    @Test
    void chatTemplate_isReadFromAFileInTheModelsDirectory_andOverridesOnlyItsModel() throws IOException {
        String template = "{% for m in messages %}{{ m['content'] }}{% endfor %}";
        Files.writeString(dir.resolve("plain.jinja"), template);
        ModelRegistry r = parse("""
                models:
                  chat:
                    path: a.gguf
                    chat_template: plain.jinja
                  other:
                    path: b.gguf
                """);

        assertTrue(r.problems().isEmpty(), r.problems().toString());
        assertTrue(r.find("chat").orElseThrow().available());
        assertEquals(template, r.chatTemplate("chat").orElseThrow());
        assertTrue(r.chatTemplate("other").isEmpty());
        assertTrue(r.chatTemplate("nothing").isEmpty());
    }

    @Test
    void chatTemplate_thatCannotBeRead_makesTheEntryInvalid_namingTheFileOnly() throws IOException {
        Files.writeString(dir.resolve("empty.jinja"), "  \n");
        Files.write(dir.resolve("latin1.jinja"), new byte[]{(byte) 0xe9});
        Files.write(dir.resolve("huge.jinja"), new byte[ModelRegistry.MAX_TEMPLATE_BYTES + 1]);
        ModelRegistry r = parse("""
                models:
                  missing:
                    path: a.gguf
                    chat_template: no-such.jinja
                  empty:
                    path: a.gguf
                    chat_template: empty.jinja
                  latin1:
                    path: a.gguf
                    chat_template: latin1.jinja
                  huge:
                    path: a.gguf
                    chat_template: huge.jinja
                  number:
                    path: a.gguf
                    chat_template: 5
                """);

        assertEquals("chat_template file 'no-such.jinja' does not exist or is not a regular file", reasonOf(r, "missing"));
        assertEquals("chat_template file 'empty.jinja' is empty", reasonOf(r, "empty"));
        assertEquals("chat_template file 'latin1.jinja' is not UTF-8 text", reasonOf(r, "latin1"));
        assertEquals("chat_template file 'huge.jinja' is larger than 262144 bytes", reasonOf(r, "huge"));
        assertEquals("chat_template must be a file name", reasonOf(r, "number"));
        assertEquals(ModelEntry.Problem.INVALID_ENTRY,
                ((ModelEntry.Broken) r.find("missing").orElseThrow()).problem());
        assertTrue(r.chatTemplate("missing").isEmpty());
    }
}
