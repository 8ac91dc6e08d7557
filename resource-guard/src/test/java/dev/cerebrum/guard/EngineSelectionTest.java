package dev.cerebrum.guard;

import dev.cerebrum.engine.EngineException;
import dev.cerebrum.engine.EngineUnavailableException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.InferenceEngineProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.cerebrum.guard.TestSupport.finish;
import static dev.cerebrum.guard.TestSupport.quietSettings;
import static dev.cerebrum.guard.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several engines under one manager: each entry runs on the engine it names or the default; an engine that
 * cannot run here leaves the others serving; a model whose architecture its engine cannot load is refused
 * before a load, naming the engine that can.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EngineSelectionTest {
    @TempDir
    Path dir;

    private final List<FakeEngine> created = new ArrayList<>();
    private final TestSupport.TestHost host = new TestSupport.TestHost(() -> 0);
    private ModelManager manager;
    private Engines engines;

    /** A provider of a fake engine that cannot load {@code unsupported}, or that cannot run at all. */
    private InferenceEngineProvider provider(String name, Set<String> unsupported, boolean runs) {
        return new InferenceEngineProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String version() {
                return name + " 1.0";
            }

            @Override
            public Set<String> architectures() {
                return Set.of("llama", "qwen3").stream().filter(a -> !unsupported.contains(a))
                        .collect(java.util.stream.Collectors.toSet());
            }

            @Override
            public dev.cerebrum.engine.ModelInfo inspect(dev.cerebrum.engine.ModelSpec spec) {
                return new FakeEngine().inspect(spec);
            }

            @Override
            public InferenceEngine create(EngineOptions options) {
                if (!runs) {
                    throw new EngineUnavailableException(name, "its libraries are not installed",
                            "run fetch-natives.sh in /opt/x");
                }
                FakeEngine engine = new FakeEngine(name, unsupported);
                created.add(engine);
                return engine;
            }
        };
    }

    private List<InferenceEngineProvider> newAndOld(boolean newRuns) {
        return List.of(provider("ffm", Set.of(), newRuns), provider("llamacpp", Set.of("qwen3"), true));
    }

    private Engines engines(String defaultName, List<ModelEntry> entries, List<InferenceEngineProvider> providers) {
        engines = Engines.create(defaultName, entries, providers, p -> p.create(EngineOptions.of(dir)));
        return engines;
    }

    private ModelManager manager(List<ModelEntry> entries) {
        manager = ModelManager.create(engines, ModelRegistry.of(entries), quietSettings(), host);
        return manager;
    }

    private ModelEntry entry(String name, Optional<String> engine) {
        ModelEntry.Usable plain = (ModelEntry.Usable) TestSupport.entry(dir, name, 1);
        return new ModelEntry.Usable(name, plain.spec(), 60, false, engine);
    }

    /** Submits to the model, lets its generation finish with 2 tokens, and returns the finish reason. */
    private FinishReason run(String model) throws InterruptedException {
        var generation = manager.submit(model, request("a"));
        FakeEngine engine = created.stream().filter(e -> e.current(model) != null).findFirst().orElseThrow();
        TestSupport.awaitTrue(() -> !engine.current(model).generations.isEmpty(), Duration.ofSeconds(5), "started");
        engine.current(model).generations.getFirst().complete(2);
        return finish(generation, Duration.ofSeconds(5)).reason();
    }

    private FakeEngine engine(String name) {
        return created.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    @AfterEach
    void tearDown() {
        if (manager != null) {
            manager.close();
        }
        if (engines != null) {
            engines.close();
        }
    }

    @Test
    void eachEntry_runsOnTheEngineItNames_orTheDefault() throws Exception {
        List<ModelEntry> entries = List.of(entry("plain", Optional.empty()), entry("old", Optional.of("llamacpp")));
        engines("ffm", entries, newAndOld(true));
        manager(entries);

        assertEquals(FinishReason.STOP, run("plain"));
        assertEquals(FinishReason.STOP, run("old"));

        assertEquals(1, engine("ffm").loadsOf("plain").size());
        assertEquals(1, engine("llamacpp").loadsOf("old").size());
        assertEquals(0, engine("ffm").loadsOf("old").size());
        assertEquals(Set.of("ffm", "llamacpp"), engines.available());
    }

    @Test
    void onlyTheEnginesInUse_areCreated_andClosingClosesThemAll() {
        List<ModelEntry> entries = List.of(entry("plain", Optional.empty()));
        engines("ffm", entries, newAndOld(true));

        assertEquals(List.of("ffm"), created.stream().map(FakeEngine::name).toList());
        engines.close();
        assertTrue(created.stream().allMatch(e -> e.closed));
        engines = null;
    }

    @Test
    void aModelOfAnArchitectureItsEngineCannotLoad_isRefusedBeforeAnyLoad_namingTheEngineThatCan() {
        List<ModelEntry> entries = List.of(entry("coder", Optional.of("llamacpp")));
        engines("ffm", entries, newAndOld(true));
        engine("llamacpp").architectures.put("coder", "qwen3");
        manager(entries);

        ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                () -> manager.submit("coder", request("a")));

        assertEquals("model file 'coder.gguf' has the architecture 'qwen3', which the llamacpp engine (llamacpp 1.0)"
                + " cannot load; the ffm engine can (engine: ffm in the model's registry entry)", e.reason());
        assertEquals(0, engine("llamacpp").loads.get(), "nothing was loaded");
        ModelStatus status = manager.status("coder");
        assertFalse(status.available());
        assertEquals(e.reason(), status.reason());
    }

    @Test
    void aDefaultEngineThatCannotRun_fallsBackToAnother_andSaysWhichModelsNeedItAndHowToGetIt() throws Exception {
        // given the new engine as the default, but its libraries are missing
        List<ModelEntry> entries = List.of(entry("old", Optional.empty()), entry("coder", Optional.empty()),
                entry("pinned", Optional.of("ffm")));
        engines("ffm", entries, newAndOld(false));

        // then the old engine serves the entries that name none
        assertEquals("llamacpp", engines.defaultName());
        assertEquals("ffm", engines.configuredDefault());
        assertEquals(List.of("the engine 'ffm' is not available: its libraries are not installed. To get it: run"
                        + " fetch-natives.sh in /opt/x",
                "the default engine 'ffm' is not available, so models that name no engine run on 'llamacpp'"),
                engines.notes());

        // and a model of an architecture only the new engine knows is unavailable, saying so
        FakeEngine old = engine("llamacpp");
        old.architectures.put("coder", "qwen3");
        manager(entries);
        assertEquals(FinishReason.STOP, run("old"));
        ModelStatus coder = manager.status("coder");
        assertFalse(coder.available());
        assertEquals("model file 'coder.gguf' has the architecture 'qwen3', which the llamacpp engine (llamacpp 1.0)"
                + " cannot load; the ffm engine can, but it is not available on this server: its libraries are not"
                + " installed", coder.reason());
        ModelStatus pinned = manager.status("pinned");
        assertFalse(pinned.available());
        assertEquals("its engine 'ffm' is not available on this server: its libraries are not installed",
                pinned.reason());
        assertFalse(pinned.reason().contains("/opt/x"), "the remedy's paths stay in the log");
        assertEquals(Map.of("ffm", List.of("coder", "pinned")), manager.modelsAwaitingEngines());
        assertEquals(Optional.of("run fetch-natives.sh in /opt/x"), engines.remedy("ffm"));
    }

    @Test
    void anEntryNamingAnEngineThatIsNotPresent_isUnavailable_namingThePresentOnes() {
        List<ModelEntry> entries = List.of(entry("typo", Optional.of("fmm")));
        engines("ffm", entries, newAndOld(true));
        manager(entries);

        ModelUnavailableException e = assertThrows(ModelUnavailableException.class,
                () -> manager.submit("typo", request("a")));
        assertEquals("its engine 'fmm' is not an engine of this server (present: ffm, llamacpp)", e.reason());
    }

    @Test
    void noEngineThatCanRun_isRefused() {
        List<InferenceEngineProvider> none = List.of(provider("ffm", Set.of(), false));
        EngineException e = assertThrows(EngineException.class, () -> engines("ffm", List.of(), none));
        assertTrue(e.getMessage().startsWith("no inference engine can run: 'ffm' is not available"), e.getMessage());
    }
}
