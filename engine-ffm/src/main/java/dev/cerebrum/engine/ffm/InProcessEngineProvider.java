package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.InferenceEngineProvider;

import java.util.Set;

/**
 * Provides the ffm engine without worker processes, named {@value #NAME}: the same llama.cpp, generation core
 * and checks as {@code ffm}, but each model's core runs inside the server's own process. That saves the hop to a
 * worker and back for every request and token; it gives up what the worker gives: a crash in native code ends
 * the server, and no watchdog kills a stalled model. Engine property: {@code llama-natives}, as for {@code ffm}.
 */
public final class InProcessEngineProvider implements InferenceEngineProvider {
    /** The engine's name. */
    public static final String NAME = "ffm-inprocess";

    private final FfmEngineProvider ffm = new FfmEngineProvider();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return ffm.version();
    }

    @Override
    public Set<String> architectures() {
        return ffm.architectures();
    }

    @Override
    public ModelInfo inspect(ModelSpec spec) {
        return ffm.inspect(spec);
    }

    @Override
    public InferenceEngine create(EngineOptions options) {
        return new InProcessEngine(FfmEngine.nativesFolder(options, NAME), version());
    }
}
