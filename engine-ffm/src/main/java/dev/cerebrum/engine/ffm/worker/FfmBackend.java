package dev.cerebrum.engine.ffm.worker;

import dev.cerebrum.engine.EngineException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.ffm.CoreConfig;
import dev.cerebrum.engine.ffm.EventSink;
import dev.cerebrum.engine.ffm.GenerationCore;
import dev.cerebrum.engine.ffm.IncompatibleNativesException;
import dev.cerebrum.engine.ffm.LlamaRuntime;
import dev.cerebrum.engine.ffm.Submission;
import dev.cerebrum.engine.worker.child.GenerationSink;
import dev.cerebrum.engine.worker.child.WorkerBackend;
import dev.cerebrum.engine.worker.child.WorkerLoadException;
import dev.cerebrum.engine.worker.child.WorkerLog;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Generate;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Load;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.LoadErrorKind;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Loaded;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Outcome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The worker's side of the FFM engine: the model runs in a {@link GenerationCore}, whose one decode thread
 * batches every slot. The socket thread only hands work on: a generation is submitted from a thread of its own
 * (tokenising a long prompt and compiling a grammar take milliseconds the socket thread owes the watchdog's
 * pings), in arrival order. Each prompt chunk is reported as progress, so the watchdog sees a long prompt
 * advance; a cancel takes effect within one chunk of a prompt, or before the next token.
 */
public final class FfmBackend implements WorkerBackend {
    /** Load option: the folder of the llama.cpp libraries. */
    public static final String NATIVES = "llama-natives";

    private final ExecutorService submitter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "ffm-submit");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<Integer, Running> running = new ConcurrentHashMap<>();
    private GenerationCore core;
    private WorkerLog log;

    @Override
    public Loaded load(Load load, WorkerLog log) throws WorkerLoadException {
        this.log = log;
        if (!Files.isRegularFile(Path.of(load.modelPath()))) {
            throw new WorkerLoadException(LoadErrorKind.INVALID_MODEL, "the model file is missing");
        }
        String natives = load.options().get(NATIVES);
        if (natives == null) {
            throw new WorkerLoadException(LoadErrorKind.FAILED, "the engine named no llama.cpp folder");
        }
        long start = System.nanoTime();
        LlamaRuntime runtime;
        try {
            runtime = LlamaRuntime.load(Path.of(natives));
        } catch (IncompatibleNativesException e) {
            throw new WorkerLoadException(LoadErrorKind.FAILED, e.getMessage());
        } catch (EngineException | UnsatisfiedLinkError | IllegalStateException e) {
            throw new WorkerLoadException(LoadErrorKind.FAILED, "the llama.cpp libraries could not be loaded");
        }
        ModelSpec spec = new ModelSpec("worker", Path.of(load.modelPath()), load.contextSize(), load.threads(),
                load.batchThreads(), load.parallel(), load.batchSize(), load.seed());
        try {
            core = GenerationCore.load(runtime, CoreConfig.of(spec));
        } catch (InvalidModelException e) {
            throw new WorkerLoadException(LoadErrorKind.INVALID_MODEL, e.getMessage());
        } catch (RuntimeException e) {
            throw new WorkerLoadException(LoadErrorKind.FAILED, "llama.cpp failed to load the model: "
                    + e.getClass().getSimpleName());
        }
        long loaded = System.nanoTime();
        warmUp();
        long warm = System.nanoTime();
        log.info("llama.cpp: " + runtime.systemInfo());
        return new Loaded((loaded - start) / 1_000_000, (warm - loaded) / 1_000_000);
    }

    private void warmUp() {
        try {
            if (!core.warmUp(Duration.ofMinutes(5))) {
                log.warning("warm-up failed or did not finish within 5 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int countTokens(String text) {
        return core.countTokens(text);
    }

    @Override
    public void start(Generate generate, GenerationSink sink) {
        Running r = new Running(generate.generationId(), sink);
        running.put(r.id, r);
        submitter.execute(() -> r.submit(new GenerationRequest(generate.prompt(), generate.maxTokens(),
                generate.temperature(), generate.topP(), generate.topK(), generate.minP(), generate.repeatPenalty(),
                generate.stop(), generate.seed() == null ? null : generate.seed().longValue(), generate.grammar(),
                generate.ignoreEos())));
    }

    @Override
    public void cancel(int generationId) {
        Running r = running.get(generationId);
        if (r != null) {
            r.cancel();
        }
    }

    /** One generation: its submission once made, and the mapping of the core's events onto the sink. */
    private final class Running implements EventSink {
        final int id;
        final GenerationSink sink;
        private Submission submission;
        private boolean cancelled;

        Running(int id, GenerationSink sink) {
            this.id = id;
            this.sink = sink;
        }

        void submit(GenerationRequest request) {
            synchronized (this) {
                if (cancelled) {
                    end(Outcome.CANCELLED, 0, "");
                    return;
                }
            }
            Submission made;
            try {
                made = core.submit(request, this);
            } catch (EngineException e) {
                // A grammar llama.cpp cannot compile, or a model that is going away: this request only.
                end(Outcome.FAILED, 0, e.getMessage());
                return;
            }
            synchronized (this) {
                submission = made;
                if (cancelled) {
                    made.cancel();
                }
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (submission != null) {
                submission.cancel();
            }
        }

        @Override
        public void onEvent(GenerationEvent event) {
            switch (event) {
                case GenerationEvent.Token token -> sink.piece(token.text(), token.completionTokens());
                case GenerationEvent.Finished f -> end(outcome(f.reason()), f.completionTokens(),
                        f.reason() == FinishReason.ERROR ? String.valueOf(f.error()) : "", f.timings().cachedTokens());
            }
        }

        @Override
        public void onPromptChunk(int processed, int total) {
            sink.progress();
        }

        private void end(Outcome outcome, int completionTokens, String message) {
            end(outcome, completionTokens, message, 0);
        }

        private void end(Outcome outcome, int completionTokens, String message, int cachedTokens) {
            running.remove(id);
            sink.end(outcome, completionTokens, message, cachedTokens);
        }
    }

    private static Outcome outcome(FinishReason reason) {
        return switch (reason) {
            case STOP -> Outcome.STOP;
            case LENGTH -> Outcome.LENGTH;
            case CANCELLED -> Outcome.CANCELLED;
            case ERROR -> Outcome.FAILED;
        };
    }
}
