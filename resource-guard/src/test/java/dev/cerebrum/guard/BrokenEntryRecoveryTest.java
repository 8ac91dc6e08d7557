package dev.cerebrum.guard;

import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.ModelSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.cerebrum.guard.TestSupport.entry;
import static dev.cerebrum.guard.TestSupport.finish;
import static dev.cerebrum.guard.TestSupport.quietSettings;
import static dev.cerebrum.guard.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model whose file was missing or invalid is inspected again on the next request once its file changed,
 * and served without a restart. The real-engine counterpart is the server's {@code WorkerFaultsIT}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BrokenEntryRecoveryTest {
    private static final Duration BOUND = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final FakeEngine engine = new FakeEngine();
    private final TestSupport.TestHost host = new TestSupport.TestHost(engine::residentBytes);
    private ModelManager manager;

    private ModelManager manager(ModelEntry... entries) {
        manager = ModelManager.create(engine, ModelRegistry.of(List.of(entries)), quietSettings(), host,
                new TestSupport.MutableClock());
        return manager;
    }

    @AfterEach
    void tearDown() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void missingFile_isRefusedCheaply_untilItAppears_thenServed() throws Exception {
        // given an entry whose file is not there at start
        Path file = dir.resolve("late.gguf");
        manager(new ModelEntry.Usable("late", ModelSpec.of("late", file, 64, 1, 1), 60, false));
        ModelStatus missing = manager.status("late");
        assertFalse(missing.available());
        assertEquals("model file 'late.gguf' not found", missing.reason());

        // when requests come while it is still missing, each is refused without inspecting anything
        int inspects = engine.inspects.get();
        for (int i = 0; i < 3; i++) {
            ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                    () -> manager.submit("late", request("a")));
            assertEquals("model file 'late.gguf' not found", e.reason());
        }
        assertEquals(inspects, engine.inspects.get());
        assertEquals(0, engine.loads.get());

        // when the file appears, the next request inspects it again and is served
        Files.writeString(file, "GGUF");
        Generation g = manager.submit("late", request("a"));
        engine.current("late").generations.get(0).complete(1);
        assertEquals(FinishReason.STOP, finish(g, BOUND).reason());
        ModelStatus served = manager.status("late");
        assertTrue(served.available());
        assertEquals(ModelState.READY, served.state());
        assertEquals(100 * FakeEngine.MB, served.estimateBytes());
    }

    @Test
    void fileDeletedWhileUnloaded_isUnavailable_andServedAgainWhenTheSameFileIsPutBack() throws Exception {
        // given a model that was served, then unloaded, whose file is then deleted
        ModelEntry m = entry(dir, "m", 1);
        Path file = dir.resolve("m.gguf");
        byte[] content = Files.readAllBytes(file);
        manager(m);
        manager.load("m");
        manager.unload("m", false);
        Files.delete(file);

        // when a request comes, it is refused: the file is gone
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                () -> manager.submit("m", request("a")));
        assertEquals("model file 'm.gguf' not found", e.reason());
        assertFalse(manager.status("m").available());
        assertEquals(ModelState.UNLOADED, manager.status("m").state());

        // when the identical file is put back, the next request is served
        Files.write(file, content);
        assertNotNull(manager.submit("m", request("a")));
        assertEquals(2, engine.loads.get());
        assertTrue(manager.status("m").available());
    }

    @Test
    void invalidFile_isInspectedAgainOnlyWhenItChanges() throws IOException {
        // given a file the engine cannot read
        engine.invalid.add("bad");
        manager(entry(dir, "bad", 1));
        ModelUnavailableException first = assertThrows(ModelUnavailableException.class,
                () -> manager.submit("bad", request("a")));
        assertTrue(first.reason().contains("is not a usable GGUF model"), first.reason());
        int inspects = engine.inspects.get();

        // when it is asked for again unchanged, it is not inspected again
        assertThrows(ModelUnavailableException.class, () -> manager.load("bad"));
        assertEquals(inspects, engine.inspects.get());

        // when it is replaced by a good file, the next request inspects it and loads it
        engine.invalid.remove("bad");
        Files.writeString(dir.resolve("bad.gguf"), "GGUF, a good model this time");
        LoadReport report = manager.load("bad");
        assertFalse(report.alreadyLoaded());
        assertEquals(inspects + 1, engine.inspects.get());
        assertTrue(manager.status("bad").available());
    }

    @Test
    void invalidEntry_isNotRecovered_itsSettingsNeedARestart() {
        manager(ModelEntry.Broken.invalid("typo", "unknown key 'gpu_layers'", 60, false));
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                () -> manager.submit("typo", request("a")));
        assertEquals("unknown key 'gpu_layers'", e.reason());
        assertEquals(0, engine.inspects.get());
    }
}
