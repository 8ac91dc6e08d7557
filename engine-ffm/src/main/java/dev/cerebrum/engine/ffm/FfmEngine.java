package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.EngineUnavailableException;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.ffm.worker.FfmBackend;
import dev.cerebrum.engine.ffm.worker.FfmWorkerMain;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.EngineProperties;
import dev.cerebrum.engine.worker.ModelChecks;
import dev.cerebrum.engine.worker.WorkerCommand;
import dev.cerebrum.engine.worker.WorkerSupervisor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The engine on the current llama.cpp: every loaded model runs in its own worker process (see
 * {@link WorkerSupervisor}), which runs {@link FfmBackend} over a {@link GenerationCore}. Unloading ends the
 * process, and a crash in native code takes down only that model. This class checks a spec against the GGUF
 * file before any worker starts: the architecture against the pinned llama.cpp's list ({@link Architectures}),
 * the settings with {@link ModelChecks}; it estimates memory as the current llama.cpp sizes its buffers, the
 * repacked copy of the weights included.
 */
final class FfmEngine implements InferenceEngine {
    /** The largest context accepted (current models train with up to 256k tokens; 4x that is the other bound). */
    static final int MAX_CONTEXT = 1 << 20;

    private final WorkerSupervisor workers;
    private final Path natives;
    private final String version;

    FfmEngine(EngineOptions options, String version) {
        this.version = version;
        this.natives = nativesFolder(options, FfmEngineProvider.NAME);
        // The worker needs engine-api's request type besides its own jar and engine-worker's.
        this.workers = new WorkerSupervisor(FfmEngineProvider.NAME, options,
                new WorkerCommand(FfmWorkerMain.class, List.of(GenerationRequest.class), tempDir -> List.of()));
    }

    /**
     * The folder of the llama.cpp libraries the options name ({@code llama-natives}), else the pinned cache.
     *
     * @throws EngineUnavailableException for engine {@code engine} when the folder holds no libllama, saying how
     *                                    to get the libraries
     */
    static Path nativesFolder(EngineOptions options, String engine) {
        String given = options.properties().get(EngineProperties.LLAMA_NATIVES);
        Path natives = (given == null || given.isBlank() ? NativesPin.get().defaultFolder() : Path.of(given))
                .toAbsolutePath().normalize();
        if (!LlamaLibrary.present(natives)) {
            throw new EngineUnavailableException(engine, "the llama.cpp libraries of the "
                    + engine + " engine (" + NativesPin.get().describe() + ") are not installed",
                    "the folder " + natives + " holds no libllama.so; fetch the pinned libraries with"
                            + " engine-ffm/natives/fetch-natives.sh (it needs npm: sudo apt-get install -y npm),"
                            + " or point the engine at a folder that has them (CEREBRUM_LLAMA_NATIVES_DIR)");
        }
        return natives;
    }

    @Override
    public String name() {
        return FfmEngineProvider.NAME;
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
        ModelChecks.checkBeforeLoad(this, spec, MAX_CONTEXT);
        return workers.load(spec, Map.of(FfmBackend.NATIVES, natives.toString()));
    }

    /** The folder the workers load llama.cpp from. */
    Path natives() {
        return natives;
    }

    @Override
    public void close() {
        workers.close();
    }
}
