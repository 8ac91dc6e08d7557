package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.FinishReason;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.NoFreeSlotException;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The one thread that decodes: continuous batching over the slots. Each step
 * <ol>
 *   <li>ends what was cancelled and puts newly submitted generations on their slots;</li>
 *   <li>puts into one {@code llama_batch} the next token of every decoding generation, plus prompt tokens of the
 *       generations still prefilling, at most one chunk in all, sized by the {@link ChunkPolicy}. The chunk goes
 *       to the prompts with the fewest tokens left first (the oldest of equals), whole prompts only once one
 *       completes in the step: prompts that arrive together start together when they fit, and a short request
 *       that arrives during a long prompt gets its first token after at most one more chunk of the long one,
 *       in a step of its own, not after all of it;</li>
 *   <li>runs {@code llama_decode} once, then samples one token for every generation that has an output.</li>
 * </ol>
 * A cancel is therefore seen before the next step: within one chunk of a prompt, within one token of a
 * generation. A generation that ends has its sequence removed from the KV cache and its slot freed before its
 * final event is sent. With nothing to do the thread parks until a submission or cancel wakes it.
 *
 * <p>Prefix reuse: a slot keeps its sequence's cells in the KV cache after its generation ends, and remembers
 * their tokens. A new generation goes to the free slot whose cached tokens share the longest prefix with its
 * prompt; the cells past that prefix are removed and only the rest of the prompt is processed (at least its last
 * token, whose logits give the first sample). The final event's timings report the reused tokens.
 *
 * <p>There is no queue here: {@link #submit} refuses a generation when every slot is taken
 * ({@link NoFreeSlotException}); the scheduler in front (the resource guard) queues.
 */
final class DecodeLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger(GenerationCore.class.getName());
    /** The prompt with the fewest tokens left first; of equals, the one that got its slot first. */
    private static final Comparator<Sequence> FEWEST_PROMPT_TOKENS_LEFT = Comparator
            .<Sequence>comparingInt(s -> s.prompt.length - s.promptProcessed())
            .thenComparingLong(s -> s.startedNanos);

    private final NativeModel model;
    private final CoreConfig config;
    private final int slotContext;
    private final Batch batch;
    private final ChunkPolicy chunks;
    private final Object submitLock = new Object();
    private final ConcurrentLinkedQueue<Sequence> inbox = new ConcurrentLinkedQueue<>();
    /** Slots taken: running generations plus those submitted and not yet on their slot. */
    private final AtomicInteger taken = new AtomicInteger();
    private final AtomicReferenceArray<Sequence> slots;

    // Decode-thread state.
    /** Per slot: the tokens whose cells the slot's sequence holds while no generation runs there. */
    private final int[][] cachedTokens;
    private final int[] cachedLength;
    private final List<Sequence> prefilling = new ArrayList<>();
    private final List<Sequence> outputs = new ArrayList<>();
    /** The prefilling sequences that have a chunk in the current step. */
    private final List<Sequence> chunked = new ArrayList<>();
    private MemorySegment pieceSegment;
    private byte[] pieceBytes;

    private volatile boolean closing;
    private volatile boolean alive = true;
    private volatile long steps;
    private volatile long prefillChunks;
    private Thread thread;

    DecodeLoop(NativeModel model, CoreConfig config) {
        this.model = model;
        this.config = config;
        this.slotContext = config.slotContext();
        this.batch = new Batch(model.arena(), model.batchSize());
        this.chunks = new ChunkPolicy(config.prefillChunk());
        this.slots = new AtomicReferenceArray<>(config.slots());
        this.cachedTokens = new int[config.slots()][];
        this.cachedLength = new int[config.slots()];
        this.pieceSegment = model.arena().allocate(256);
        this.pieceBytes = new byte[256];
    }

    void start(String name) {
        thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this);
        thread.start();
    }

    /**
     * Hands a generation to the decode thread, which puts it on a free slot before its next step.
     *
     * @throws NoFreeSlotException when every slot is taken
     */
    void submit(Sequence sequence) {
        synchronized (submitLock) {
            if (closing || !alive) {
                throw new EngineFailureException("the model is not loaded any more");
            }
            if (taken.get() >= slots.length()) {
                throw new NoFreeSlotException(slots.length());
            }
            taken.incrementAndGet();
            inbox.add(sequence);
        }
        wake();
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    /** Ends every generation with an error, stops the thread and waits for it. */
    void close() {
        synchronized (submitLock) {
            closing = true;
        }
        wake();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    boolean alive() {
        return alive && !closing;
    }

    CoreStatus status() {
        List<SlotState> states = new ArrayList<>(slots.length());
        for (int i = 0; i < slots.length(); i++) {
            Sequence s = slots.get(i);
            states.add(s == null ? new SlotState(i, SlotPhase.IDLE, 0, 0, 0)
                    : new SlotState(i, s.phase(), s.promptTokens(), s.promptProcessed(), s.sampled()));
        }
        return new CoreStatus(states);
    }

    /** Slots taken: running generations plus those submitted and not yet on their slot. */
    int taken() {
        return taken.get();
    }

    /** Decode steps run so far. */
    long steps() {
        return steps;
    }

    /** Prompt chunks processed so far. */
    long prefillChunks() {
        return prefillChunks;
    }

    @Override
    public void run() {
        try {
            while (true) {
                if (closing) {
                    endAll("the model was unloaded");
                    return;
                }
                startSubmitted();
                endCancelled();
                if (!anyRunning()) {
                    LockSupport.park(this);
                    continue;
                }
                step();
            }
        } catch (Throwable t) {
            alive = false;
            LOG.log(System.Logger.Level.ERROR, "the decode loop failed", t);
            endAll("the engine failed: " + t.getClass().getSimpleName());
        } finally {
            alive = false;
        }
    }

    private boolean anyRunning() {
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) != null) {
                return true;
            }
        }
        return false;
    }

    private void endCancelled() {
        for (int i = 0; i < slots.length(); i++) {
            Sequence s = slots.get(i);
            if (s != null && s.cancelRequested()) {
                end(s, FinishReason.CANCELLED, null);
            }
        }
    }

    /** Puts submitted generations on free slots; {@link #submit} made sure there is one for each. */
    private void startSubmitted() {
        Sequence s;
        while ((s = inbox.poll()) != null) {
            int slot = -1;
            int shared = -1;
            for (int i = 0; i < slots.length(); i++) {
                if (slots.get(i) != null) {
                    continue;
                }
                int common = commonPrefix(i, s.prompt);
                // The longest shared prefix; on a tie the slot with the least cached, to keep longer caches.
                if (common > shared || common == shared && cachedLength[i] < cachedLength[slot]) {
                    slot = i;
                    shared = common;
                }
            }
            if (slot < 0) {
                throw new IllegalStateException("a submitted generation found no free slot");
            }
            // At least the prompt's last token is processed again: its logits give the first sample.
            int reuse = Math.min(shared, s.prompt.length - 1);
            if (reuse < cachedLength[slot] && !model.truncateSequence(slot, reuse)) {
                model.clearSequence(slot);
                reuse = 0;
            }
            cachedLength[slot] = 0;
            cachedTokens[slot] = null;
            s.slot = slot;
            s.tokens = Arrays.copyOf(s.prompt, slotContext);
            s.cached = reuse;
            s.reused = reuse;
            s.promptProcessed(reuse);
            s.startedNanos = System.nanoTime();
            prefilling.add(s);
            slots.set(slot, s);
        }
    }

    /** Tokens at the start of {@code prompt} that free slot {@code slot} holds in its cells. */
    private int commonPrefix(int slot, int[] prompt) {
        int[] cached = cachedTokens[slot];
        int n = Math.min(cachedLength[slot], prompt.length);
        int i = 0;
        while (i < n && cached[i] == prompt[i]) {
            i++;
        }
        return i;
    }

    private void step() {
        batch.clear();
        outputs.clear();
        for (int i = 0; i < slots.length(); i++) {
            Sequence s = slots.get(i);
            if (s != null && !s.prefilling()) {
                s.tokens[s.cached] = s.nextToken;
                s.outputIndex = batch.add(s.nextToken, s.cached, s.slot, true);
                outputs.add(s);
            }
        }
        int chunkTokens = addPromptChunks(Math.min(chunks.chunk(outputs.size()), batch.capacity() - batch.size()));

        long stepStart = System.nanoTime();
        int result = model.decode(batch);
        if (chunkTokens > 0) {
            chunks.measured(chunkTokens, outputs.size(), System.nanoTime() - stepStart);
        }
        steps++;
        if (result != 0) {
            String error = "llama_decode failed with code " + result;
            LOG.log(System.Logger.Level.ERROR, error);
            for (Sequence s : outputs) {
                end(s, FinishReason.ERROR, error);
            }
            for (Sequence p : chunked) {
                end(p, FinishReason.ERROR, error);
            }
            return;
        }
        for (Sequence s : outputs) {
            s.cached++;
        }
        for (Sequence p : chunked) {
            p.cached = p.chunkEnd;
            p.promptProcessed(p.chunkEnd);
            prefillChunks++;
            if (!p.prefilling()) {
                prefilling.remove(p);
                outputs.add(p);
            } else {
                p.promptChunk();
            }
        }
        for (Sequence s : outputs) {
            int token = model.sample(s.sampler, s.outputIndex);
            s.outputIndex = -1;
            accept(s, token);
        }
    }

    /**
     * Puts up to {@code budget} prompt tokens of the prefilling sequences into the batch, the fewest left first, and
     * those sequences into {@link #chunked}; returns the tokens put.
     */
    private int addPromptChunks(int budget) {
        chunked.clear();
        chunked.addAll(prefilling);
        chunked.sort(FEWEST_PROMPT_TOKENS_LEFT);
        int chunkTokens = 0;
        boolean completing = false;
        for (int i = 0; i < chunked.size(); i++) {
            Sequence p = chunked.get(i);
            int start = p.promptProcessed();
            int left = p.prompt.length - start;
            // A part of a longer prompt never rides along with one that completes: it would delay that first token.
            if (budget == 0 || left > budget && completing) {
                chunked.subList(i, chunked.size()).clear();
                break;
            }
            int n = Math.min(budget, left);
            completing |= n == left;
            for (int k = 0; k < n; k++) {
                int at = start + k;
                boolean last = at == p.prompt.length - 1;
                int index = batch.add(p.prompt[at], at, p.slot, last);
                if (last) {
                    p.outputIndex = index;
                }
            }
            p.chunkEnd = start + n;
            budget -= n;
            chunkTokens += n;
        }
        return chunkTokens;
    }

    /** One sampled token: end of generation, text (held back as stop strings and UTF-8 need), or a limit. */
    private void accept(Sequence s, int token) {
        long now = System.nanoTime();
        if (s.firstTokenNanos == 0) {
            s.firstTokenNanos = now;
        }
        s.lastTokenNanos = now;
        if (model.isEndOfGeneration(token)) {
            end(s, FinishReason.STOP, null);
            return;
        }
        s.sampledOneMore();
        String text = s.text.add(pieceBytes, piece(token));
        if (!text.isEmpty()) {
            s.send(new GenerationEvent.Token(text, s.text.countedTokens()));
        }
        if (s.text.stopped()) {
            end(s, FinishReason.STOP, null);
        } else if (s.sampled() >= s.request.maxTokens() || s.cached >= slotContext) {
            end(s, FinishReason.LENGTH, null);
        } else {
            s.nextToken = token;
        }
    }

    /** The piece of {@code token}, copied into {@link #pieceBytes}; returns its length. */
    private int piece(int token) {
        int n = model.piece(token, pieceSegment);
        if (n < 0) {
            pieceSegment = model.arena().allocate(-n);
            pieceBytes = new byte[-n];
            n = model.piece(token, pieceSegment);
        }
        MemorySegment.copy(pieceSegment, JAVA_BYTE, 0, pieceBytes, 0, n);
        return n;
    }

    /** Frees the slot and the sampler, then sends the final event (after any text held back, unless stopped). */
    private void end(Sequence s, FinishReason reason, String error) {
        if (s.isDone()) {
            return;
        }
        if (reason == FinishReason.STOP || reason == FinishReason.LENGTH) {
            String rest = s.text.flush();
            if (!rest.isEmpty()) {
                s.send(new GenerationEvent.Token(rest, s.text.countedTokens()));
            }
        }
        if (s.slot >= 0) {
            if (reason == FinishReason.ERROR) {
                // After a failed step its cells are uncertain: nothing of it is reused.
                model.clearSequence(s.slot);
            } else {
                cachedTokens[s.slot] = s.tokens;
                cachedLength[s.slot] = s.cached;
            }
            prefilling.remove(s);
            slots.set(s.slot, null);
        }
        model.freeSampler(s.sampler);
        taken.decrementAndGet();
        s.send(s.finished(reason, error));
    }

    private void endAll(String error) {
        Sequence waiting;
        while ((waiting = inbox.poll()) != null) {
            end(waiting, FinishReason.ERROR, error);
        }
        for (int i = 0; i < slots.length(); i++) {
            Sequence s = slots.get(i);
            if (s != null) {
                end(s, FinishReason.ERROR, error);
            }
        }
    }
}
