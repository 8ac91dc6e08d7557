package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.InferenceEngineProvider;
import dev.cerebrum.engine.worker.ArchitectureList;
import dev.cerebrum.gguf.GgufInspector;

import java.util.Set;

/**
 * Provides the llama.cpp engine, named {@value #NAME}. Each loaded model runs in its own worker
 * process (a child JVM). Engine properties:
 * <ul>
 *   <li>{@code native-log=true} lets llama.cpp log (into the backend's log at DEBUG, logger
 *       {@code cerebrum.worker.<model>}); default false;</li>
 *   <li>{@code worker-cds=true} gives the workers an AppCDS archive in the work folder; default false;</li>
 *   <li>the watchdog's {@code worker-ping-interval} (PT1S), {@code worker-ping-timeout} (PT5S),
 *       {@code worker-stall-timeout} (PT5M) and {@code worker-stall-per-prompt-token} (PT0.25S), ISO-8601
 *       durations, zero turning a check off (see {@link dev.cerebrum.engine.worker.WatchdogSettings}).</li>
 * </ul>
 */
public final class LlamaCppEngineProvider implements InferenceEngineProvider {
    /** The engine's name. */
    public static final String NAME = "llamacpp";
    /** What the engine runs. */
    static final String VERSION = "llama.cpp b4916 (de.kherud:llama 4.2.0)";
    /** The architectures b4916 can load; how the list was made is in its header. */
    static final Set<String> ARCHITECTURES = ArchitectureList.read(
            LlamaCppEngineProvider.class.getResourceAsStream("b4916-architectures.txt"), "b4916-architectures.txt");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public Set<String> architectures() {
        return ARCHITECTURES;
    }

    @Override
    public ModelInfo inspect(ModelSpec spec) {
        return GgufInspector.inspect(spec.path(), spec.contextSize(), spec.parallel());
    }

    @Override
    public InferenceEngine create(EngineOptions options) {
        return new LlamaCppEngine(options);
    }
}
