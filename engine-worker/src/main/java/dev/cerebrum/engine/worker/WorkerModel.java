package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.NoFreeSlotException;
import dev.cerebrum.engine.SlotStatus;
import dev.cerebrum.engine.worker.protocol.WorkerCodec;
import dev.cerebrum.engine.worker.protocol.WorkerMessage;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Cancel;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Count;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.CountFailed;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Counted;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.End;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Generate;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Log;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Piece;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Ping;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Pong;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Progress;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A model loaded in its own worker process. It does not queue: a generation goes to the worker only
 * when a slot is free, and one beyond the free slots is refused ({@link NoFreeSlotException}); the
 * scheduler in front of it queues, and hands a slot on once {@link Generation#slotFreed()} says the
 * worker freed it. The {@link Watchdog} kills the worker when it stops answering
 * pings or stops making progress; its generations then end with an error and {@link #isAlive()}
 * turns false, so the next request loads the model again.
 */
public final class WorkerModel implements LoadedModel {
    private static final long COUNT_TIMEOUT_SECONDS = 60;

    private final ModelSpec spec;
    private final WorkerProcess worker;
    private final long loadMillis;
    private final Consumer<WorkerModel> onClose;
    private final System.Logger log;

    private final ReentrantLock scheduleLock = new ReentrantLock();
    private final Map<Integer, WorkerGeneration> running = new ConcurrentHashMap<>();
    private volatile int busy;

    private final ReentrantLock sendLock = new ReentrantLock();
    private final Map<Integer, CompletableFuture<Integer>> counts = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    /** The last text counted: a scheduler counts a prompt, then generates it, which would count it again. */
    private volatile CountedText lastCounted;

    private final AtomicBoolean closed = new AtomicBoolean();
    /** Why the model is no longer usable; null while it is. */
    private volatile String failure;

    /** When the worker last answered a ping (System.nanoTime). */
    private volatile long lastPongNanos;
    /** When a running generation last made progress: dispatched, or output from the worker. */
    private volatile long lastProgressNanos;
    private long pingSequence;

    WorkerModel(ModelSpec spec, WorkerProcess worker, long loadMillis, System.Logger log,
                Consumer<WorkerModel> onClose) {
        this.spec = spec;
        this.worker = worker;
        this.loadMillis = loadMillis;
        this.log = log;
        this.onClose = onClose;
        long now = System.nanoTime();
        this.lastPongNanos = now;
        this.lastProgressNanos = now;
        Thread reader = new Thread(this::readLoop, "cerebrum-worker-" + spec.name() + "-reader");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Generation generate(GenerationRequest request) {
        ensureUsable();
        ModelChecks.checkGrammar(request);
        int promptTokens = countTokens(request.prompt());
        if (promptTokens >= spec.slotContext()) {
            throw new ContextOverflowException(promptTokens, spec.slotContext());
        }
        int id = ids.incrementAndGet();
        byte[] frame = frame(new Generate(id, request.prompt(), request.maxTokens(), request.temperature(),
                request.topP(), request.topK(), request.minP(), request.repeatPenalty(), request.stop(),
                request.seed() == null ? null : request.seed().intValue(), request.grammar(), request.ignoreEos()));
        WorkerGeneration state = new WorkerGeneration(this, id, request, promptTokens, frame);
        scheduleLock.lock();
        try {
            ensureUsable();
            if (busy >= spec.parallel()) {
                throw new NoFreeSlotException(spec.parallel());
            }
            occupy(state);
        } finally {
            scheduleLock.unlock();
        }
        GenerationHandle handle = new GenerationHandle(state);
        send(state);
        return handle;
    }

    @Override
    public int countTokens(String text) {
        ensureUsable();
        CountedText last = lastCounted;
        // The same object only: comparing a long prompt's characters would cost what the round trip saves.
        if (last != null && last.text() == text) {
            return last.tokens();
        }
        int tokens = countInWorker(text);
        lastCounted = new CountedText(text, tokens);
        return tokens;
    }

    private record CountedText(String text, int tokens) {
    }

    private int countInWorker(String text) {
        int requestId = ids.incrementAndGet();
        byte[] frame = frame(new Count(requestId, text));
        CompletableFuture<Integer> result = new CompletableFuture<>();
        counts.put(requestId, result);
        try {
            write(frame);
            if (failure != null) {
                throw new EngineFailureException(failure);
            }
            return result.get(COUNT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new EngineFailureException("counting tokens failed for model '" + spec.name() + "'", e.getCause());
        } catch (TimeoutException e) {
            throw new EngineFailureException("the model worker for '" + spec.name() + "' did not answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineFailureException("interrupted while counting tokens", e);
        } finally {
            counts.remove(requestId);
        }
    }

    /** The encoded message; one larger than the protocol's frame limit is refused as too large. */
    private static byte[] frame(WorkerMessage message) {
        try {
            return WorkerCodec.encode(message);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("prompt", "the request is too large for the model worker");
        }
    }

    @Override
    public SlotStatus slots() {
        // Under the lock: the running generations and the busy count change together.
        scheduleLock.lock();
        try {
            int prefilling = 0;
            int decoding = 0;
            for (WorkerGeneration state : running.values()) {
                if (state.producing) {
                    decoding++;
                } else {
                    prefilling++;
                }
            }
            return new SlotStatus(spec.parallel(), Math.max(busy, prefilling + decoding), prefilling, decoding);
        } finally {
            scheduleLock.unlock();
        }
    }

    @Override
    public long residentBytes() {
        return failure == null ? worker.residentBytes() : -1;
    }

    @Override
    public boolean isAlive() {
        return failure == null && worker.process().isAlive();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        fail("model '" + spec.name() + "' was unloaded", () -> { });
        worker.stop();
        onClose.accept(this);
        log.log(System.Logger.Level.INFO, "model ''{0}'' unloaded", spec.name());
    }

    /** The worker's process id. */
    public long pid() {
        return worker.pid();
    }

    /** Milliseconds from spawning the worker to its handshake, before the model load. */
    public long startupMillis() {
        return worker.startupMillis();
    }

    /** Milliseconds the engine's native code took to load the model in the worker. */
    public long loadMillis() {
        return loadMillis;
    }

    /** Lines the worker printed on stdout and stderr. */
    public long workerOutputLines() {
        return worker.outputLines();
    }

    /** Called by a generation's cancel: tell the worker to stop the native task. */
    void cancel(WorkerGeneration state) {
        if (!running.containsKey(state.id)) {
            return;
        }
        sendLock.lock();
        try {
            if (state.sent) {
                sendCancelOnce(state);
            }
        } catch (IOException e) {
            // The worker is gone: the reading thread fails everything.
        } finally {
            sendLock.unlock();
        }
    }

    private void occupy(WorkerGeneration state) {
        busy++;
        state.dispatchNanos = System.nanoTime();
        lastProgressNanos = state.dispatchNanos;
        running.put(state.id, state);
    }

    /** Sends a generation that took a slot to the worker, outside the schedule lock. */
    private void send(WorkerGeneration state) {
        sendLock.lock();
        try {
            worker.codec().writeFrame(state.frame);
            state.sent = true;
            if (state.isCancelled()) {
                // Cancelled between taking the slot and being sent.
                sendCancelOnce(state);
            }
        } catch (IOException e) {
            // The worker is gone: the reading thread fails everything.
        } finally {
            sendLock.unlock();
        }
    }

    /** Tells the worker to cancel a sent generation, at most once. Call with the send lock held. */
    private void sendCancelOnce(WorkerGeneration state) throws IOException {
        if (!state.cancelSent) {
            state.cancelSent = true;
            worker.codec().write(new Cancel(state.id));
        }
    }

    private void write(byte[] frame) {
        sendLock.lock();
        try {
            worker.codec().writeFrame(frame);
        } catch (IOException e) {
            throw new EngineFailureException(failure != null ? failure
                    : "the model worker for '" + spec.name() + "' is not reachable", e);
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Sends a ping unless another message is being written: a writer blocked on a frozen worker
     * must not block the pinger too, and the missing pongs tell the watchdog all it needs.
     */
    void ping() {
        if (failure != null || !sendLock.tryLock()) {
            return;
        }
        try {
            worker.codec().write(new Ping(++pingSequence));
        } catch (IOException e) {
            // The worker is gone: the reading thread fails everything.
        } finally {
            sendLock.unlock();
        }
    }

    /** What the watchdog looks at: the last pong, the last progress and the prompts still in process. */
    Watchdog.Observation observe() {
        boolean busyNow = false;
        long promptTokens = 0;
        for (WorkerGeneration state : running.values()) {
            busyNow = true;
            if (!state.producing) {
                promptTokens += state.promptTokens;
            }
        }
        return new Watchdog.Observation(lastPongNanos, lastProgressNanos, busyNow, promptTokens);
    }

    /** Starts the watchdog's clocks again: the engine itself was not running (suspended, paused). */
    void forgive(long now) {
        lastPongNanos = now;
        lastProgressNanos = now;
    }

    /** True while the watchdog should look at this model. */
    boolean watched() {
        return failure == null && !closed.get();
    }

    /**
     * Kills a worker the watchdog found hung: its generations end with the client message, the reason
     * is logged once, and the next request loads the model again.
     */
    void kill(String reason, String clientMessage) {
        if (closed.get()) {
            return;
        }
        boolean first = fail(clientMessage, () -> log.log(System.Logger.Level.WARNING,
                "model worker for ''{0}'' (pid {1}) {2}: killed it (SIGKILL){3}",
                spec.name(), Long.toString(worker.pid()), reason, worker.lastOwnLines()));
        if (first) {
            worker.kill();
        }
    }

    private void readLoop() {
        WorkerCodec codec = worker.codec();
        try {
            while (true) {
                switch (codec.readFromWorker()) {
                    case Piece piece -> {
                        lastProgressNanos = System.nanoTime();
                        WorkerGeneration state = running.get(piece.generationId());
                        if (state != null) {
                            state.onPiece(piece.text(), piece.completionTokens());
                        }
                    }
                    case Progress progress -> lastProgressNanos = System.nanoTime();
                    case End end -> {
                        lastProgressNanos = System.nanoTime();
                        WorkerGeneration state = running.get(end.generationId());
                        if (state != null) {
                            // The slot is free before the final event is seen: a reader of Finished may count on it.
                            release(state);
                            state.onEnd(end.outcome(), end.completionTokens(), end.message(), end.cachedTokens());
                        }
                    }
                    case Counted counted -> {
                        CompletableFuture<Integer> result = counts.get(counted.requestId());
                        if (result != null) {
                            result.complete(counted.tokens());
                        }
                    }
                    case CountFailed countFailed -> {
                        CompletableFuture<Integer> result = counts.get(countFailed.requestId());
                        if (result != null) {
                            result.completeExceptionally(new InvalidRequestException("prompt",
                                    "the prompt could not be tokenized: " + countFailed.message()));
                        }
                    }
                    case Pong pong -> lastPongNanos = System.nanoTime();
                    case Log line -> worker.log(line);
                    case WorkerMessage.FromWorker other ->
                            throw new IOException("unexpected " + other.getClass().getSimpleName());
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed.get()) {
                workerDied();
            }
        }
    }

    /** The native task of this generation ended: free its slot and tell whoever waits for it. */
    private void release(WorkerGeneration state) {
        scheduleLock.lock();
        try {
            if (running.remove(state.id) == null) {
                return;
            }
            busy--;
        } finally {
            scheduleLock.unlock();
        }
        state.slotFreed.complete(null);
    }

    private void workerDied() {
        Process process = worker.process();
        String exit;
        try {
            exit = process.waitFor(2, TimeUnit.SECONDS)
                    ? WorkerProcess.describeExit(process.exitValue()) : "connection lost";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit = "connection lost";
        }
        if (closed.get()) {
            return;
        }
        String message = "model worker for '" + spec.name() + "' exited unexpectedly (" + exit + ")";
        fail(message, () -> log.log(System.Logger.Level.WARNING, message + worker.lastOwnLines()));
        worker.kill();
    }

    /**
     * Marks the model unusable and ends every generation and count in flight with the message.
     *
     * @param first runs before anything is ended, when this call is the one that made the model
     *              unusable: the log says why before any client hears of it
     * @return whether this call made the model unusable (false: it already was)
     */
    private boolean fail(String message, Runnable first) {
        List<WorkerGeneration> victims = new ArrayList<>();
        boolean isFirst;
        scheduleLock.lock();
        try {
            isFirst = failure == null;
            if (isFirst) {
                failure = message;
            }
            victims.addAll(running.values());
            running.clear();
            busy = 0;
        } finally {
            scheduleLock.unlock();
        }
        if (isFirst) {
            first.run();
        }
        String reason = failure;
        victims.forEach(v -> {
            v.slotFreed.complete(null);
            v.onFailed(reason);
        });
        counts.values().forEach(c -> c.completeExceptionally(new EngineFailureException(reason)));
        return isFirst;
    }

    private void ensureUsable() {
        String reason = failure;
        if (reason != null) {
            throw new EngineFailureException(reason);
        }
    }
}
