package dev.cerebrum.engine.worker.testing;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/** A suite whose tests share one model of one engine, loaded before the first test and unloaded after the last. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OneModelSuite extends EngineSuite {
    private InferenceEngine engine;
    private LoadedModel model;

    /** The model the suite's tests share. */
    protected abstract ModelSpec suiteModel();

    /** The loaded model. */
    protected LoadedModel model() {
        return model;
    }

    @BeforeAll
    void load(@TempDir Path workDir) {
        engine = createEngine(workDir, Map.of());
        model = engine.load(suiteModel());
    }

    @AfterAll
    void unload() {
        if (engine != null) {
            engine.close();
        }
    }
}
