package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidRequestException;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A model loaded in this process that generates on its slots: what a worker process runs. One decode thread
 * does continuous batching over the slots (see {@link DecodeLoop}); everything else is thread-safe and may be
 * called from any thread.
 *
 * <p>{@link #submit} tokenises the prompt (unless {@link #countTokens} did) and builds the request's sampler
 * chain (its grammar included) on the calling thread, so a large grammar never holds up the other slots; the
 * generation starts on a free slot at the next step. The core does not queue: with every slot taken it refuses.
 * Its events go to the given {@link EventSink}.
 */
public final class GenerationCore implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GenerationCore.class.getName());

    private final CoreConfig config;
    private final NativeModel model;
    private final DecodeLoop loop;
    private final CountedPrompts counted;
    /** Submissions and token counts read the native model; closing frees it, so it waits for them. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private GenerationCore(CoreConfig config, NativeModel model) {
        this.config = config;
        this.model = model;
        this.loop = new DecodeLoop(model, config);
        this.counted = new CountedPrompts(4L * config.slotContext());
    }

    /**
     * Loads the model of {@code config} and starts its decode thread.
     *
     * @throws dev.cerebrum.engine.InvalidModelException when llama.cpp cannot load the file
     */
    public static GenerationCore load(LlamaRuntime runtime, CoreConfig config) {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(config, "config");
        NativeModel model = NativeModel.load(runtime, config);
        if (model.sequenceContext() < config.slotContext()) {
            model.close();
            throw new IllegalStateException("llama.cpp gave each sequence " + model.sequenceContext()
                    + " cells, fewer than the " + config.slotContext() + " a slot needs");
        }
        GenerationCore core = new GenerationCore(config, model);
        core.loop.start("llama-decode-" + config.model().getFileName());
        return core;
    }

    /**
     * Starts a generation on a free slot; its events go to {@code sink}.
     *
     * @throws dev.cerebrum.engine.NoFreeSlotException when every slot is taken
     * @throws ContextOverflowException when the prompt does not fit a slot's context
     * @throws InvalidRequestException  when the grammar does not parse, or the prompt has no tokens
     * @throws EngineFailureException   when the model is closed or failed
     */
    public Submission submit(GenerationRequest request, EventSink sink) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(sink, "sink");
        lifecycle.readLock().lock();
        try {
            requireAlive();
            int[] prompt = counted.take(request.prompt());
            if (prompt == null) {
                prompt = model.tokenize(request.prompt());
            }
            if (prompt.length == 0) {
                throw new InvalidRequestException("prompt", "the prompt has no tokens");
            }
            if (prompt.length >= slotContext()) {
                throw new ContextOverflowException(prompt.length, slotContext());
            }
            MemorySegment sampler = model.samplerChain(request, config.seed());
            Sequence sequence = new Sequence(request, prompt, sampler, sink, loop::wake);
            try {
                loop.submit(sequence);
            } catch (RuntimeException e) {
                model.freeSampler(sampler);
                throw e;
            }
            return sequence;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Generates one token on the decode thread: pages the weights in and starts the thread pool of the thread
     * that decodes every request, so that the first request pays for neither. Returns false when it failed or did
     * not finish within {@code limit}.
     */
    public boolean warmUp(Duration limit) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        try {
            submit(GenerationRequest.builder("a").greedy().maxTokens(1).build(), event -> {
                if (event instanceof GenerationEvent.Finished) {
                    done.countDown();
                }
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "the warm-up could not start", e);
            return false;
        }
        return done.await(limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void requireAlive() {
        if (closed || !loop.alive()) {
            throw new EngineFailureException("the model is not loaded any more");
        }
    }

    /**
     * Tokens {@code text} becomes as a prompt (with BOS when the model adds one). The tokens are kept for a
     * submission of the same prompt, which then does not tokenise it again.
     */
    public int countTokens(String text) {
        Objects.requireNonNull(text, "text");
        lifecycle.readLock().lock();
        try {
            requireAlive();
            int[] prompt = model.tokenize(text);
            if (prompt.length < slotContext()) {
                counted.put(text, prompt);
            }
            return prompt.length;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** The phase of every slot, now. */
    public CoreStatus status() {
        return loop.status();
    }

    /** Tokens of context one generation can use, prompt and completion together. */
    public int slotContext() {
        return config.slotContext();
    }

    /** The model's {@code general.architecture}. */
    public String architecture() {
        return model.architecture();
    }

    /** The configuration it was loaded with. */
    public CoreConfig config() {
        return config;
    }

    /** False once closed or failed. */
    public boolean isAlive() {
        return !closed && loop.alive();
    }

    /** Ends every generation (with an error), stops the decode thread and frees the model and its context. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            loop.close();
            model.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    NativeModel model() {
        return model;
    }

    DecodeLoop loop() {
        return loop;
    }

    CountedPrompts countedPrompts() {
        return counted;
    }
}
