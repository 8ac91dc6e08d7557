package dev.cerebrum.engine.llamacpp.worker;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import dev.cerebrum.engine.worker.child.GenerationSink;
import dev.cerebrum.engine.worker.child.StopStrings;
import dev.cerebrum.engine.worker.child.WorkerBackend;
import dev.cerebrum.engine.worker.child.WorkerLoadException;
import dev.cerebrum.engine.worker.child.WorkerLog;
import dev.cerebrum.engine.worker.protocol.NativeMessages;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Generate;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Load;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.LoadErrorKind;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Loaded;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Outcome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker's side of the llama.cpp engine, on de.kherud:llama. Each generation is iterated by a
 * platform thread of its own: the binding's cancel is safe only from the iterating thread, between
 * {@code next()} calls (from another thread it hangs the consumer forever).
 *
 * <p>What the binding's outputs mean, as observed: one output per sampled token whose text completes
 * UTF-8 (the tokens of a character spelt in several byte tokens give one output, with the character;
 * an incomplete character at the end is never shown); an empty output for end of sequence; then one
 * final output, empty, with the stop flag. The stop reason is not exposed, so the generation ended by
 * its token limit when the last output before the final one carried text (or there was none), and by
 * end of sequence when it was empty. Stop strings are matched here, not by the binding, so that an
 * empty output can only mean end of sequence.
 */
public final class LlamaBackend implements WorkerBackend {
    /** Load option: "true" when llama.cpp puts BOS before a prompt (the binding's encode() does not count it). */
    public static final String ADDS_BOS = "adds-bos";
    /** Load option: "true" lets llama.cpp log to stdout (DEBUG in the engine's log). */
    public static final String NATIVE_LOG = "native-log";

    private final Map<Integer, Task> tasks = new ConcurrentHashMap<>();
    private LlamaModel model;
    private boolean addsBos;
    private WorkerLog log;

    @Override
    public Loaded load(Load load, WorkerLog log) throws WorkerLoadException {
        this.log = log;
        this.addsBos = Boolean.parseBoolean(load.options().get(ADDS_BOS));
        if (!Files.isRegularFile(Path.of(load.modelPath()))) {
            throw new WorkerLoadException(LoadErrorKind.INVALID_MODEL, "the model file is missing");
        }
        long start = System.nanoTime();
        ModelParameters parameters = new ModelParameters()
                .setModel(load.modelPath())
                .setCtxSize(load.contextSize())
                .setThreads(load.threads())
                .setThreadsBatch(load.batchThreads())
                .setParallel(load.parallel())
                .setBatchSize(load.batchSize())
                .setSeed(load.seed())
                // A full slot ends the generation with "length" instead of silently dropping context.
                .disableContextShift()
                // The native warm-up decodes on the loading thread and creates a second OpenMP thread team,
                // which slows every later decode; warmUp() below decodes on the server thread instead.
                .skipWarmup();
        if (!Boolean.parseBoolean(load.options().get(NATIVE_LOG))) {
            parameters.disableLog();
        }
        try {
            model = new LlamaModel(parameters);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new WorkerLoadException(LoadErrorKind.INVALID_MODEL,
                    "llama.cpp could not load the model: " + NativeMessages.clean(e.getMessage()));
        }
        long loaded = System.nanoTime();
        warmUp();
        long warm = System.nanoTime();
        return new Loaded((loaded - start) / 1_000_000, (warm - loaded) / 1_000_000);
    }

    /** Pages the weights in and sets up the decoding thread's thread team with one tiny generation. */
    private void warmUp() {
        try {
            LlamaIterator iterator = model.generate(new InferenceParameters("a").setNPredict(1).setTemperature(0))
                    .iterator();
            while (iterator.hasNext()) {
                iterator.next();
            }
        } catch (RuntimeException e) {
            log.warning("warm-up failed: " + NativeMessages.clean(e.getMessage()));
        }
    }

    @Override
    public int countTokens(String text) {
        // llama-server tokenizes a prompt with the model's special tokens (BOS); encode() does not.
        return model.encode(text).length + (addsBos ? 1 : 0);
    }

    @Override
    public void start(Generate generate, GenerationSink sink) {
        InferenceParameters parameters = new InferenceParameters(generate.prompt())
                .setNPredict(generate.maxTokens())
                .setTemperature((float) generate.temperature())
                .setTopP((float) generate.topP())
                .setTopK(generate.topK())
                .setMinP((float) generate.minP())
                .setRepeatPenalty((float) generate.repeatPenalty())
                .setIgnoreEos(generate.ignoreEos());
        if (generate.seed() != null) {
            parameters.setSeed(generate.seed());
        }
        if (generate.grammar() != null) {
            parameters.setGrammar(generate.grammar());
        }
        Task task = new Task(generate, parameters, sink);
        tasks.put(generate.generationId(), task);
        Thread thread = new Thread(task, "generation-" + generate.generationId());
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void cancel(int generationId) {
        Task task = tasks.get(generationId);
        if (task != null) {
            task.cancelRequested = true;
        }
    }

    /** One generation, iterated by its own platform thread: the native cancel is safe only from it. */
    private final class Task implements Runnable {
        private final Generate generate;
        private final InferenceParameters parameters;
        private final GenerationSink sink;
        private final StopStrings stops;
        volatile boolean cancelRequested;

        Task(Generate generate, InferenceParameters parameters, GenerationSink sink) {
            this.generate = generate;
            this.parameters = parameters;
            this.sink = sink;
            this.stops = new StopStrings(generate.stop());
        }

        @Override
        public void run() {
            int outputs = 0;
            int textTokens = 0;
            boolean lastEmpty = false;
            LlamaIterator iterator = null;
            try {
                iterator = model.generate(parameters).iterator();
                while (iterator.hasNext()) {
                    if (cancelRequested) {
                        // Between next() calls on the iterating thread: the only place cancel() cannot hang.
                        iterator.cancel();
                        end(Outcome.CANCELLED, textTokens, "");
                        return;
                    }
                    LlamaOutput output = iterator.next();
                    if (!iterator.hasNext()) {
                        // The final output only carries the stop flag (its text is empty in streaming mode).
                        break;
                    }
                    outputs++;
                    lastEmpty = output.text.isEmpty();
                    String text = stops.accept(output.text);
                    if (!text.isEmpty()) {
                        textTokens = outputs;
                    }
                    sink.piece(text, textTokens);
                    if (stops.matched()) {
                        // The matched stop string is not part of the text, nor are its tokens counted.
                        iterator.cancel();
                        iterator = null;
                        end(Outcome.STOP, textTokens, "");
                        return;
                    }
                }
                iterator = null;
                // A last output with text (or none at all) means the token limit cut the generation, maybe
                // inside a character the binding then never shows; an empty one is end of sequence.
                boolean limit = outputs == 0 || !lastEmpty;
                String held = stops.flush();
                if (!held.isEmpty()) {
                    textTokens = outputs;
                    sink.piece(held, textTokens);
                }
                if (limit) {
                    end(Outcome.LENGTH, generate.maxTokens(), "");
                } else {
                    end(Outcome.STOP, textTokens, "");
                }
            } catch (RuntimeException e) {
                iterator = null;
                String message = NativeMessages.clean(e.getMessage());
                // Without context shift the native side reports a full slot as this error.
                Outcome outcome = message.contains("context shift is disabled") ? Outcome.CONTEXT_FULL : Outcome.FAILED;
                end(outcome, textTokens, outcome == Outcome.FAILED ? message : "");
            } catch (Error e) {
                // Out of memory or worse: this JVM is no longer trustworthy. The engine reports the exit.
                log.warning("fatal in generation " + generate.generationId() + ": " + e.getClass().getName());
                Runtime.getRuntime().halt(4);
            } finally {
                if (iterator != null && iterator.hasNext()) {
                    iterator.cancel();
                }
            }
        }

        private void end(Outcome outcome, int completionTokens, String message) {
            tasks.remove(generate.generationId());
            sink.end(outcome, completionTokens, message);
        }
    }
}
