package dev.cerebrum.engine.worker.testing;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.worker.WorkerModel;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parent process for the no-orphans test: it loads a model, prints its worker's pid and waits to be killed.
 * Arguments: work folder, model file, engine name, then engine properties as {@code key=value}.
 */
public final class OrphanParentMain {
    private OrphanParentMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            properties.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        InferenceEngine engine = InferenceEngines.create(args[2], new EngineOptions(Path.of(args[0]), properties));
        LoadedModel model = engine.load(ModelSpec.of("orphan", Path.of(args[1]), 512, 1, 1));
        System.out.println("WORKER " + ((WorkerModel) model).pid());
        System.out.flush();
        Thread.sleep(120_000);
        Runtime.getRuntime().halt(1);
    }
}
