package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.worker.ModelChecks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ffm engine in the server's process: every loaded model is a {@link GenerationCore} here, with the checks of
 * {@link FfmEngine} before it loads. The llama.cpp libraries load once, on the first model.
 */
final class InProcessEngine implements InferenceEngine {
    private static final System.Logger LOG = System.getLogger(InProcessEngine.class.getName());

    private final Path natives;
    private final String version;
    private final Set<InProcessModel> loaded = ConcurrentHashMap.newKeySet();

    InProcessEngine(Path natives, String version) {
        this.natives = natives;
        this.version = version;
    }

    @Override
    public String name() {
        return InProcessEngineProvider.NAME;
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public boolean supportsArchitecture(String architecture) {
        return Architectures.supports(architecture);
    }

    @Override
    public ModelInfo inspect(ModelSpec spec) {
        return new FfmEngineProvider().inspect(spec);
    }

    @Override
    public LoadedModel load(ModelSpec spec) {
        ModelChecks.checkBeforeLoad(this, spec, FfmEngine.MAX_CONTEXT);
        long start = System.nanoTime();
        LlamaRuntime runtime;
        try {
            runtime = LlamaRuntime.load(natives);
        } catch (IllegalStateException | UnsatisfiedLinkError e) {
            throw new EngineFailureException("the llama.cpp libraries could not be loaded", e);
        }
        GenerationCore core = GenerationCore.load(runtime, CoreConfig.of(spec));
        long warmStart = System.nanoTime();
        try {
            if (!core.warmUp(Duration.ofMinutes(5))) {
                LOG.log(System.Logger.Level.WARNING, "model ''{0}'': warm-up failed or did not finish within 5 minutes",
                        spec.name());
            }
        } catch (InterruptedException e) {
            core.close();
            Thread.currentThread().interrupt();
            throw new EngineFailureException("loading model '" + spec.name() + "' was interrupted");
        }
        long end = System.nanoTime();
        LOG.log(System.Logger.Level.INFO, "model ''{0}'' loaded in this process in {1} ms (warm-up {2} ms)",
                spec.name(), (end - start) / 1_000_000, (end - warmStart) / 1_000_000);
        InProcessModel model = new InProcessModel(spec, core, loaded::remove);
        loaded.add(model);
        return model;
    }

    @Override
    public void close() {
        for (InProcessModel model : Set.copyOf(loaded)) {
            model.close();
        }
    }
}
