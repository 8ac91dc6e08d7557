package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.llamacpp.worker.LlamaBackend;
import dev.cerebrum.engine.llamacpp.worker.WorkerMain;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.worker.ModelChecks;
import dev.cerebrum.engine.worker.WorkerCommand;
import dev.cerebrum.engine.worker.WorkerSupervisor;
import dev.cerebrum.gguf.GgufFile;
import dev.cerebrum.gguf.GgufReader;
import dev.cerebrum.gguf.GgufValue;
import de.kherud.llama.LlamaModel;

import java.util.List;
import java.util.Map;

/**
 * The llama.cpp engine: every loaded model runs in its own worker process (see
 * {@link WorkerSupervisor}), so that unloading a model returns its memory to the OS and a crash in
 * native code takes down only that model. This class checks a spec against the GGUF file before any
 * worker starts (its architecture among the 60 that b4916 knows, its settings by {@link ModelChecks}); the
 * worker runs {@link LlamaBackend}.
 */
final class LlamaCppEngine implements InferenceEngine {
    /** Engine property: "true" lets llama.cpp log (into the backend's log, at DEBUG). */
    static final String NATIVE_LOG = "native-log";
    /** The largest context accepted, whatever the model was trained with. */
    static final int MAX_CONTEXT = ModelSpec.MAX_CONTEXT_SIZE;
    static final int MAX_BATCH_SIZE = 16_384;

    private final WorkerSupervisor workers;
    private final boolean nativeLog;

    LlamaCppEngine(EngineOptions options) {
        LlamaNatives natives = new LlamaNatives(options.workDir());
        this.workers = new WorkerSupervisor(LlamaCppEngineProvider.NAME, options,
                new WorkerCommand(WorkerMain.class, List.of(LlamaModel.class), natives::jvmFlags));
        this.nativeLog = Boolean.parseBoolean(options.properties().getOrDefault(NATIVE_LOG, "false"));
    }

    @Override
    public String name() {
        return LlamaCppEngineProvider.NAME;
    }

    @Override
    public String version() {
        return LlamaCppEngineProvider.VERSION;
    }

    @Override
    public boolean supportsArchitecture(String architecture) {
        return LlamaCppEngineProvider.ARCHITECTURES.contains(architecture);
    }

    @Override
    public ModelInfo inspect(ModelSpec spec) {
        return new LlamaCppEngineProvider().inspect(spec);
    }

    @Override
    public LoadedModel load(ModelSpec spec) {
        ModelChecks.checkBeforeLoad(this, spec, MAX_CONTEXT);
        boolean addsBos = addsBos(GgufReader.read(spec.path()));
        return workers.load(spec, Map.of(LlamaBackend.ADDS_BOS, Boolean.toString(addsBos),
                LlamaBackend.NATIVE_LOG, Boolean.toString(nativeLog)));
    }

    /**
     * Whether llama.cpp puts BOS before a prompt, as its server does (the binding's encode() does not):
     * the file's {@code tokenizer.ggml.add_bos_token}, else llama.cpp's default for the tokenizer type.
     */
    static boolean addsBos(GgufFile file) {
        GgufValue flag = file.metadata().get("tokenizer.ggml.add_bos_token");
        if (flag != null) {
            try {
                return flag.asBoolean();
            } catch (RuntimeException e) {
                // not a bool: fall back to the default
            }
        }
        GgufValue model = file.metadata().get("tokenizer.ggml.model");
        String tokenizer = "";
        if (model != null) {
            try {
                tokenizer = model.asString();
            } catch (RuntimeException e) {
                // not a string: no tokenizer type
            }
        }
        return List.of("llama", "bert").contains(tokenizer);
    }

    @Override
    public void close() {
        workers.close();
    }
}
