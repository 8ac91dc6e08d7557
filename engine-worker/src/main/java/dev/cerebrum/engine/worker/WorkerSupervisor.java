package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.EngineException;
import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.worker.protocol.NativeMessages;
import dev.cerebrum.engine.worker.protocol.WorkerMessage;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Load;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.LoadError;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.LoadErrorKind;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Loaded;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs an engine's models in worker processes: one child JVM per loaded model, reached over a Unix
 * domain socket, so that unloading a model returns its memory to the OS and a crash in native code
 * takes down only that model. An engine makes one supervisor and gets a {@link WorkerModel} (its
 * {@code LoadedModel}) for each {@link #load}. The supervisor's {@link Watchdog} kills workers that
 * stop answering or stop making progress.
 *
 * <p>Engine properties read here: {@value #SHARED_ARCHIVE} and those of {@link WatchdogSettings}.
 */
public final class WorkerSupervisor implements AutoCloseable {
    /**
     * Engine property: "true" gives workers an auto-created AppCDS archive in the work folder. Off by
     * default: measured here, a worker JVM starts in about 60 ms with or without it (it loads few
     * classes), and the first worker's exit then spends about 400 ms writing the archive.
     */
    public static final String SHARED_ARCHIVE = "worker-cds";

    private final String engineName;
    private final WorkerLauncher launcher;
    private final WatchdogSettings watchdogSettings;
    private final Watchdog watchdog;
    private final System.Logger log;
    private final Set<WorkerModel> models = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * A supervisor for one engine.
     *
     * @param engineName the engine's name, for its logger {@code cerebrum.engine.<name>}
     * @param options    the engine's options: its work folder and properties
     * @param command    what the engine's worker runs
     * @throws IllegalArgumentException when a watchdog property is not a valid duration
     */
    public WorkerSupervisor(String engineName, EngineOptions options, WorkerCommand command) {
        this.engineName = engineName;
        this.log = System.getLogger("cerebrum.engine." + engineName);
        this.watchdogSettings = WatchdogSettings.from(options.properties());
        try {
            Files.createDirectories(options.workDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the engine's work folder", e);
        }
        this.launcher = new WorkerLauncher(options.workDir(), command,
                Boolean.parseBoolean(options.properties().getOrDefault(SHARED_ARCHIVE, "false")));
        this.watchdog = new Watchdog(watchdogSettings, () -> List.copyOf(models));
    }

    /** The watchdog's settings, as read from the engine properties. */
    public WatchdogSettings watchdog() {
        return watchdogSettings;
    }

    /**
     * Starts a worker, has it load the model and returns it. The spec must have been checked: the
     * worker loads what it is given.
     *
     * @param spec           the model and its settings
     * @param backendOptions settings for the engine's backend in the worker ({@link Load#options()})
     * @throws InvalidModelException  when the worker finds the file is not a model it can load
     * @throws EngineFailureException when the worker cannot be started or fails while loading
     */
    public WorkerModel load(ModelSpec spec, Map<String, String> backendOptions) {
        if (closed) {
            throw new EngineFailureException("the engine is closed");
        }
        long start = System.nanoTime();
        WorkerProcess worker = launcher.start(spec.name());
        Loaded loaded;
        try {
            loaded = loadIn(worker, spec, backendOptions);
        } catch (RuntimeException e) {
            worker.stop();
            throw e;
        }
        long total = (System.nanoTime() - start) / 1_000_000;
        WorkerModel model = new WorkerModel(spec, worker, loaded.loadMillis(), log, models::remove);
        models.add(model);
        watchdog.watch(model, spec.name());
        log.log(System.Logger.Level.INFO, "model ''{0}'' loaded in {1} ms: worker start-up {2} ms, {3} load {4} ms,"
                        + " warm-up {5} ms (worker pid {6})", spec.name(), total, worker.startupMillis(), engineName,
                loaded.loadMillis(), loaded.warmupMillis(), Long.toString(worker.pid()));
        if (closed) {
            model.close();
            throw new EngineFailureException("the engine is closed");
        }
        return model;
    }

    /**
     * Sends the load message and waits for the answer. Interrupting the loading thread abandons the
     * load (the socket is an interruptible channel).
     */
    private Loaded loadIn(WorkerProcess worker, ModelSpec spec, Map<String, String> backendOptions) {
        try {
            worker.codec().write(new Load(spec.path().toAbsolutePath().toString(), spec.contextSize(), spec.threads(),
                    spec.batchThreads(), spec.parallel(), spec.batchSize(), spec.seed(), backendOptions));
            while (true) {
                switch (worker.codec().readFromWorker()) {
                    case Loaded loaded -> {
                        return loaded;
                    }
                    case LoadError error -> {
                        String message = "model '" + spec.name() + "' could not be loaded: "
                                + NativeMessages.clean(error.message());
                        throw error.kind() == LoadErrorKind.INVALID_MODEL ? new InvalidModelException(message)
                                : new EngineFailureException(message);
                    }
                    case Log line -> worker.log(line);
                    case WorkerMessage.FromWorker other -> throw new EngineFailureException("the model worker for '"
                            + spec.name() + "' answered the load with " + other.getClass().getSimpleName());
                }
            }
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw new EngineFailureException("loading model '" + spec.name() + "' was interrupted", e);
        } catch (IOException e) {
            String exit;
            try {
                exit = worker.process().waitFor(2, TimeUnit.SECONDS)
                        ? WorkerProcess.describeExit(worker.process().exitValue()) : "connection lost";
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                exit = "interrupted";
            }
            log.log(System.Logger.Level.WARNING, "the model worker for ''{0}'' died while loading ({1}){2}",
                    spec.name(), exit, worker.lastOwnLines());
            throw new EngineFailureException("model worker for '" + spec.name() + "' exited while loading the model ("
                    + exit + ")", e);
        }
    }

    /** Unloads every model and stops the watchdog. */
    @Override
    public void close() {
        closed = true;
        for (WorkerModel model : List.copyOf(models)) {
            try {
                model.close();
            } catch (EngineException e) {
                log.log(System.Logger.Level.WARNING, "unloading a model failed: " + e.getMessage());
            }
        }
        watchdog.close();
    }
}
