package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.InferenceEngineProvider;
import dev.cerebrum.gguf.GgufInspector;
import dev.cerebrum.gguf.MemoryEstimator;

import java.util.Set;

/**
 * Provides the engine on the current llama.cpp C API, named {@value #NAME}. Each loaded model runs in its own
 * worker process (a child JVM) that calls llama.cpp through FFM. Engine properties:
 * <ul>
 *   <li>{@code llama-natives}: the folder of the pinned llama.cpp libraries; default the folder
 *       {@code engine-ffm/natives/fetch-natives.sh} fills,
 *       {@code ~/.cache/cerebrum/llama.cpp/<version>/<platform>} ({@code $CEREBRUM_LLAMA_CACHE} moves the
 *       cache). Without the libraries {@link #create} throws
 *       {@link dev.cerebrum.engine.EngineUnavailableException}, saying how to get them;</li>
 *   <li>{@code worker-cds} and the watchdog's properties, as for every worker engine
 *       ({@link dev.cerebrum.engine.worker.WatchdogSettings}).</li>
 * </ul>
 */
public final class FfmEngineProvider implements InferenceEngineProvider {
    /** The engine's name. */
    public static final String NAME = "ffm";

    @Override
    public String name() {
        return NAME;
    }

    /** The natives folder the engine uses unless its {@code llama-natives} property names another. */
    public static java.nio.file.Path defaultNativesFolder() {
        return NativesPin.get().defaultFolder();
    }

    @Override
    public String version() {
        NativesPin pin = NativesPin.get();
        return "llama.cpp " + pin.sourceCommit().substring(0, Math.min(8, pin.sourceCommit().length()))
                + " (@node-llama-cpp " + pin.version() + ")";
    }

    @Override
    public Set<String> architectures() {
        return Architectures.supported();
    }

    /** The file's metadata and the RAM the current llama.cpp needs, the repacked copy of the weights included. */
    @Override
    public ModelInfo inspect(ModelSpec spec) {
        return GgufInspector.inspect(spec.path(), spec.contextSize(), spec.parallel(), MemoryEstimator.LlamaBuild.CURRENT);
    }

    @Override
    public InferenceEngine create(EngineOptions options) {
        return new FfmEngine(options, version());
    }
}
