package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.ContextOverflowException;
import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.SlotStatus;
import dev.cerebrum.engine.llamacpp.worker.Protocol;
import dev.cerebrum.grammar.Grammar;
import dev.cerebrum.grammar.GrammarException;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
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
 * A model loaded in its own worker process. The native queue of the binding is unbounded and
 * has no timeout, so this side hands a generation to the worker only when a slot is free; the
 * others wait here, in a FIFO that a cancel leaves at once.
 */
final class WorkerModel implements LoadedModel {
    private static final System.Logger LOG = System.getLogger("cerebrum.engine.llamacpp");
    private static final long COUNT_TIMEOUT_SECONDS = 60;

    private final ModelSpec spec;
    private final WorkerProcess worker;
    private final boolean addsBos;
    private final Consumer<WorkerModel> onClose;
    private final long loadMillis;

    private final ReentrantLock scheduleLock = new ReentrantLock();
    private final ArrayDeque<WorkerGeneration.State> waiting = new ArrayDeque<>();
    private final Map<Integer, WorkerGeneration.State> running = new ConcurrentHashMap<>();
    private volatile int busy;
    private volatile int waitingCount;

    private final ReentrantLock sendLock = new ReentrantLock();
    private final Map<Integer, CompletableFuture<Integer>> counts = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private final AtomicBoolean closed = new AtomicBoolean();
    /** Why the model is no longer usable; null while it is. */
    private volatile String failure;

    WorkerModel(ModelSpec spec, WorkerProcess worker, boolean addsBos, long loadMillis, Consumer<WorkerModel> onClose) {
        this.spec = spec;
        this.worker = worker;
        this.addsBos = addsBos;
        this.loadMillis = loadMillis;
        this.onClose = onClose;
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
        checkGrammar(request);
        int promptTokens = countTokens(request.prompt());
        if (promptTokens >= spec.slotContext()) {
            throw new ContextOverflowException(promptTokens, spec.slotContext());
        }
        WorkerGeneration.State state = new WorkerGeneration.State(this, ids.incrementAndGet(), request, promptTokens);
        WorkerGeneration handle = new WorkerGeneration(state);
        boolean dispatch;
        scheduleLock.lock();
        try {
            ensureUsable();
            dispatch = busy < spec.parallel() && waiting.isEmpty();
            if (dispatch) {
                occupy(state);
            } else {
                waiting.addLast(state);
                waitingCount = waiting.size();
            }
        } finally {
            scheduleLock.unlock();
        }
        if (dispatch) {
            send(state);
        }
        return handle;
    }

    /**
     * llama.cpp ignores a grammar it cannot parse and generates unconstrained, and a hostile one can crash
     * the worker or stall it for every slot: no grammar reaches the worker unchecked.
     */
    private static void checkGrammar(GenerationRequest request) {
        String grammar = request.grammar();
        if (grammar == null) {
            return;
        }
        if (request.ignoreEos()) {
            // Once the grammar is complete only end of sequence is allowed; with it forbidden no token is
            // left, and the worker aborts (SIGABRT, seen with "root ::= \"xyz\"").
            throw new InvalidRequestException("ignore_eos", "ignore_eos cannot be combined with a grammar");
        }
        try {
            Grammar.parse(grammar);
        } catch (GrammarException e) {
            throw new InvalidRequestException("grammar", "invalid grammar: " + e.getMessage());
        }
    }

    @Override
    public int countTokens(String text) {
        ensureUsable();
        int requestId = ids.incrementAndGet();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        counts.put(requestId, result);
        try {
            write(out -> {
                out.writeByte(Protocol.COUNT);
                out.writeInt(requestId);
                Protocol.writeBytes(out, text);
            });
            if (failure != null) {
                throw new EngineFailureException(failure);
            }
            int tokens = result.get(COUNT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            // llama-server tokenizes a prompt with the model's special tokens (BOS); encode() does not.
            return addsBos ? tokens + 1 : tokens;
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

    @Override
    public SlotStatus slots() {
        return new SlotStatus(spec.parallel(), busy, waitingCount);
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
        fail("model '" + spec.name() + "' was unloaded");
        worker.stop();
        onClose.accept(this);
        LOG.log(System.Logger.Level.INFO, "model ''{0}'' unloaded", spec.name());
    }

    /** The worker's process id (tests kill it). */
    long pid() {
        return worker.pid();
    }

    /** Milliseconds from spawning the worker to its handshake, before the model load. */
    long startupMillis() {
        return worker.startupMillis();
    }

    /** Milliseconds llama.cpp took to load the model in the worker. */
    long loadMillis() {
        return loadMillis;
    }

    /** Lines the worker printed on stdout and stderr. */
    long workerOutputLines() {
        return worker.outputLines();
    }

    /** Called by a generation's cancel: leave the queue, or tell the worker to stop the native task. */
    void cancel(WorkerGeneration.State state) {
        scheduleLock.lock();
        try {
            if (waiting.remove(state)) {
                waitingCount = waiting.size();
                return;
            }
        } finally {
            scheduleLock.unlock();
        }
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

    private void occupy(WorkerGeneration.State state) {
        busy++;
        state.dispatchNanos = System.nanoTime();
        running.put(state.id, state);
    }

    /** Sends a dispatched generation to the worker, outside the schedule lock. */
    private void send(WorkerGeneration.State state) {
        GenerationRequest request = state.request;
        sendLock.lock();
        try {
            writeLocked(out -> {
                out.writeByte(Protocol.GENERATE);
                out.writeInt(state.id);
                Protocol.writeBytes(out, request.prompt());
                out.writeInt(request.maxTokens());
                out.writeFloat((float) request.temperature());
                out.writeFloat((float) request.topP());
                out.writeInt(request.topK());
                out.writeFloat((float) request.minP());
                out.writeFloat((float) request.repeatPenalty());
                out.writeInt(request.stop().size());
                for (String stop : request.stop()) {
                    Protocol.writeBytes(out, stop);
                }
                out.writeBoolean(request.seed() != null);
                if (request.seed() != null) {
                    out.writeInt(request.seed().intValue());
                }
                out.writeBoolean(request.grammar() != null);
                if (request.grammar() != null) {
                    Protocol.writeBytes(out, request.grammar());
                }
                out.writeBoolean(request.ignoreEos());
            });
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
    private void sendCancelOnce(WorkerGeneration.State state) throws IOException {
        if (!state.cancelSent) {
            state.cancelSent = true;
            writeLocked(out -> {
                out.writeByte(Protocol.CANCEL);
                out.writeInt(state.id);
            });
        }
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private void write(Writer writer) {
        sendLock.lock();
        try {
            writeLocked(writer);
        } catch (IOException e) {
            throw new EngineFailureException(failure != null ? failure
                    : "the model worker for '" + spec.name() + "' is not reachable", e);
        } finally {
            sendLock.unlock();
        }
    }

    private void writeLocked(Writer writer) throws IOException {
        DataOutputStream out = worker.out();
        synchronized (out) {
            writer.write(out);
            out.flush();
        }
    }

    private void readLoop() {
        DataInputStream in = worker.in();
        try {
            while (true) {
                byte type = in.readByte();
                switch (type) {
                    case Protocol.PIECE -> {
                        int id = in.readInt();
                        String text = Protocol.readBytes(in);
                        WorkerGeneration.State state = running.get(id);
                        if (state != null) {
                            state.onPiece(text);
                        }
                    }
                    case Protocol.END -> {
                        int id = in.readInt();
                        byte outcome = in.readByte();
                        int outputs = in.readInt();
                        int textTokens = in.readInt();
                        boolean lastEmpty = in.readBoolean();
                        String message = in.readUTF();
                        WorkerGeneration.State state = running.get(id);
                        if (state != null) {
                            if (outcome == Protocol.OUTCOME_FAILED) {
                                state.onFailed("generation failed: " + message);
                            } else if (outcome == Protocol.OUTCOME_COMPLETED) {
                                state.onCompleted(outputs, textTokens, lastEmpty);
                            } else if (outcome == Protocol.OUTCOME_CONTEXT_FULL) {
                                state.onContextFull(textTokens);
                            }
                            release(state);
                        }
                    }
                    case Protocol.COUNTED -> {
                        int requestId = in.readInt();
                        int tokens = in.readInt();
                        String message = in.readUTF();
                        CompletableFuture<Integer> result = counts.get(requestId);
                        if (result != null) {
                            if (tokens < 0) {
                                result.completeExceptionally(new InvalidRequestException("prompt",
                                        "the prompt could not be tokenized: " + message));
                            } else {
                                result.complete(tokens);
                            }
                        }
                    }
                    default -> throw new IOException("unexpected message type " + type);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed.get()) {
                workerDied();
            }
        }
    }

    /** The native task of this generation ended: free its slot and start the next waiting one. */
    private void release(WorkerGeneration.State state) {
        List<WorkerGeneration.State> toSend = new ArrayList<>(1);
        scheduleLock.lock();
        try {
            if (running.remove(state.id) == null) {
                return;
            }
            busy--;
            if (failure == null) {
                while (busy < spec.parallel() && !waiting.isEmpty()) {
                    WorkerGeneration.State next = waiting.removeFirst();
                    occupy(next);
                    toSend.add(next);
                }
                waitingCount = waiting.size();
            }
        } finally {
            scheduleLock.unlock();
        }
        toSend.forEach(this::send);
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
        LOG.log(System.Logger.Level.WARNING, message + "; its last output:" + System.lineSeparator()
                + worker.lastLines());
        fail(message);
        process.destroyForcibly();
    }

    /** Marks the model unusable and ends every generation and count in flight with the message. */
    private void fail(String message) {
        List<WorkerGeneration.State> victims = new ArrayList<>();
        scheduleLock.lock();
        try {
            if (failure == null) {
                failure = message;
            }
            victims.addAll(waiting);
            waiting.clear();
            waitingCount = 0;
            victims.addAll(running.values());
            running.clear();
            busy = 0;
        } finally {
            scheduleLock.unlock();
        }
        victims.forEach(v -> v.onFailed(message));
        counts.values().forEach(c -> c.completeExceptionally(new EngineFailureException(message)));
    }

    private void ensureUsable() {
        String reason = failure;
        if (reason != null) {
            throw new EngineFailureException(reason);
        }
    }
}
