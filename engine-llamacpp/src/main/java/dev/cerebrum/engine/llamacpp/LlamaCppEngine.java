package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.EngineException;
import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.gguf.GgufFile;
import dev.cerebrum.gguf.GgufInspector;
import dev.cerebrum.gguf.GgufReader;
import dev.cerebrum.gguf.GgufValue;
import dev.cerebrum.engine.llamacpp.worker.NativeMessages;
import dev.cerebrum.engine.llamacpp.worker.Protocol;
import dev.cerebrum.engine.spi.EngineOptions;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The llama.cpp engine: every loaded model runs in its own worker process, so that unloading a
 * model returns its memory to the OS and a crash in native code takes down only that model.
 */
final class LlamaCppEngine implements InferenceEngine {
    /** Engine property: "true" lets llama.cpp log (into the backend's log, at DEBUG). */
    static final String NATIVE_LOG = "native-log";
    /**
     * Engine property: "true" gives workers an auto-created AppCDS archive in the work folder. Off by
     * default: measured here, a worker JVM starts in about 60 ms with or without it (it loads few
     * classes), and the first worker's exit then spends about 400 ms writing the archive.
     */
    static final String WORKER_CDS = "worker-cds";
    /** The largest context accepted, whatever the model was trained with. */
    static final int MAX_CONTEXT = 131_072;
    static final int MAX_BATCH_SIZE = 16_384;
    private static final System.Logger LOG = System.getLogger("cerebrum.engine.llamacpp");

    private final WorkerLauncher launcher;
    private final boolean nativeLog;
    private final Set<WorkerModel> models = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    LlamaCppEngine(EngineOptions options) {
        try {
            Files.createDirectories(options.workDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the engine's work folder", e);
        }
        this.launcher = new WorkerLauncher(options.workDir(),
                Boolean.parseBoolean(options.properties().getOrDefault(WORKER_CDS, "false")));
        this.nativeLog = Boolean.parseBoolean(options.properties().getOrDefault(NATIVE_LOG, "false"));
    }

    @Override
    public String name() {
        return LlamaCppEngineProvider.NAME;
    }

    @Override
    public ModelInfo inspect(ModelSpec spec) {
        return GgufInspector.inspect(spec.path(), spec.contextSize(), spec.parallel());
    }

    @Override
    public LoadedModel load(ModelSpec spec) {
        if (closed) {
            throw new EngineFailureException("the engine is closed");
        }
        ModelInfo info = inspect(spec);
        validate(spec, info);
        boolean addsBos = addsBos(GgufReader.read(spec.path()));
        long start = System.nanoTime();
        WorkerProcess worker = launcher.start(spec.name());
        long[] times;
        try {
            times = loadIn(worker, spec);
        } catch (RuntimeException e) {
            worker.stop();
            throw e;
        }
        long total = (System.nanoTime() - start) / 1_000_000;
        WorkerModel model = new WorkerModel(spec, worker, addsBos, times[0], models::remove);
        models.add(model);
        LOG.log(System.Logger.Level.INFO, "model ''{0}'' loaded in {1} ms: worker start-up {2} ms, llama.cpp load {3} ms,"
                + " warm-up {4} ms (worker pid {5})", spec.name(), total, worker.startupMillis(), times[0], times[1],
                Long.toString(worker.pid()));
        if (closed) {
            model.close();
            throw new EngineFailureException("the engine is closed");
        }
        return model;
    }

    /**
     * Sends LOAD and waits for the answer; returns llama.cpp's load and warm-up milliseconds.
     * Interrupting the loading thread abandons the load (the socket is an interruptible channel).
     */
    private long[] loadIn(WorkerProcess worker, ModelSpec spec) {
        try {
            synchronized (worker.out()) {
                worker.out().writeByte(Protocol.LOAD);
                worker.out().writeUTF(spec.path().toAbsolutePath().toString());
                worker.out().writeInt(spec.contextSize());
                worker.out().writeInt(spec.threads());
                worker.out().writeInt(spec.batchThreads());
                worker.out().writeInt(spec.parallel());
                worker.out().writeInt(spec.batchSize());
                worker.out().writeLong(spec.seed());
                worker.out().writeBoolean(nativeLog);
                worker.out().flush();
            }
            DataInputStream in = worker.in();
            byte type = in.readByte();
            if (type == Protocol.LOADED) {
                return new long[]{in.readLong(), in.readLong()};
            }
            if (type == Protocol.LOAD_ERROR) {
                byte kind = in.readByte();
                String message = "model '" + spec.name() + "' could not be loaded: " + NativeMessages.clean(in.readUTF());
                throw kind == Protocol.LOAD_INVALID_MODEL ? new InvalidModelException(message)
                        : new EngineFailureException(message);
            }
            throw new EngineFailureException("the model worker for '" + spec.name() + "' answered " + type);
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw new EngineFailureException("loading model '" + spec.name() + "' was interrupted", e);
        } catch (IOException e) {
            String exit;
            try {
                exit = worker.process().waitFor(2, java.util.concurrent.TimeUnit.SECONDS)
                        ? WorkerProcess.describeExit(worker.process().exitValue()) : "connection lost";
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                exit = "interrupted";
            }
            LOG.log(System.Logger.Level.WARNING, "the model worker for ''{0}'' died while loading; its last output:{1}{2}",
                    spec.name(), System.lineSeparator(), worker.lastLines());
            throw new EngineFailureException("model worker for '" + spec.name() + "' exited while loading the model ("
                    + exit + ")", e);
        }
    }

    /**
     * Refuses settings that the binding would accept and then crash or misbehave on: an invalid
     * model parameter can make its constructor return without a context.
     */
    static void validate(ModelSpec spec, ModelInfo info) {
        long limit = Math.min(MAX_CONTEXT, Math.max(1, info.trainedContext()) * 4);
        if (spec.contextSize() > limit) {
            throw new InvalidModelException("model '" + spec.name() + "': context size " + spec.contextSize()
                    + " exceeds the limit of " + limit + " (4x its trained context, at most " + MAX_CONTEXT + ")");
        }
        if (spec.parallel() > spec.contextSize() / 16) {
            throw new InvalidModelException("model '" + spec.name() + "': " + spec.parallel()
                    + " slots need a context of at least " + spec.parallel() * 16);
        }
        int maxThreads = 4 * Runtime.getRuntime().availableProcessors();
        if (spec.threads() > maxThreads || spec.batchThreads() > maxThreads) {
            throw new InvalidModelException("model '" + spec.name() + "': at most " + maxThreads
                    + " threads are allowed on this machine");
        }
        if (spec.batchSize() > MAX_BATCH_SIZE) {
            throw new InvalidModelException("model '" + spec.name() + "': batch size must be at most " + MAX_BATCH_SIZE);
        }
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
        closed = true;
        for (WorkerModel model : List.copyOf(models)) {
            try {
                model.close();
            } catch (EngineException e) {
                LOG.log(System.Logger.Level.WARNING, "unloading a model failed: " + e.getMessage());
            }
        }
    }
}
