package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * The consumer's handle of one generation, around the engine's own record of it. The engine keeps only that
 * record, so a handle that is dropped without being closed becomes unreachable and the cleaner cancels the
 * generation: an abandoned stream never keeps a slot generating. Every engine hands out its generations in one.
 */
public final class GenerationHandle implements Generation {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Generation generation;
    private final Cleaner.Cleanable cleanable;

    /** A handle of {@code generation}, which must not refer back to the handle. */
    public GenerationHandle(Generation generation) {
        this.generation = generation;
        this.cleanable = CLEANER.register(this, generation::cancel);
    }

    @Override
    public GenerationEvent poll(Duration timeout) throws InterruptedException {
        GenerationEvent event = generation.poll(timeout);
        if (event instanceof GenerationEvent.Finished) {
            cleanable.clean();
        }
        return event;
    }

    @Override
    public void cancel() {
        cleanable.clean();
    }

    @Override
    public boolean started() {
        return generation.started();
    }

    @Override
    public CompletionStage<Void> slotFreed() {
        return generation.slotFreed();
    }
}
