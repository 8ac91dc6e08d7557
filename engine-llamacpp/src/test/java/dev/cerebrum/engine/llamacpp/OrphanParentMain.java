package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.worker.WorkerModel;

import java.nio.file.Path;

/**
 * A parent process for the no-orphans test: it loads a model, prints its worker's pid and waits
 * to be killed. Arguments: work folder, model file.
 */
public final class OrphanParentMain {
    private OrphanParentMain() {
    }

    public static void main(String[] args) throws Exception {
        InferenceEngine engine = InferenceEngines.create("llamacpp", EngineOptions.of(Path.of(args[0])));
        LoadedModel model = engine.load(ModelSpec.of("orphan", Path.of(args[1]), 512, 1, 1));
        System.out.println("WORKER " + ((WorkerModel) model).pid());
        System.out.flush();
        Thread.sleep(120_000);
        Runtime.getRuntime().halt(1);
    }
}
