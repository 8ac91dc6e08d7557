package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.LoadedModel;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.SlotStatus;
import dev.cerebrum.engine.worker.GenerationHandle;
import dev.cerebrum.engine.worker.ModelChecks;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A model of the in-process engine: its {@link GenerationCore}, with a {@link Generation} handle per request. */
final class InProcessModel implements LoadedModel {
    private static final System.Logger LOG = System.getLogger(InProcessModel.class.getName());

    private final ModelSpec spec;
    private final GenerationCore core;
    private final Consumer<InProcessModel> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    InProcessModel(ModelSpec spec, GenerationCore core, Consumer<InProcessModel> onClose) {
        this.spec = spec;
        this.core = core;
        this.onClose = onClose;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public Generation generate(GenerationRequest request) {
        ModelChecks.checkGrammar(request);
        InProcessGeneration generation = new InProcessGeneration();
        generation.submitted(core.submit(request, generation));
        return new GenerationHandle(generation);
    }

    @Override
    public int countTokens(String text) {
        return core.countTokens(text);
    }

    @Override
    public SlotStatus slots() {
        CoreStatus status = core.status();
        int decoding = status.count(SlotPhase.DECODING);
        // Submitted generations wait for the next step to get their slot: they count as busy and prefilling.
        int busy = Math.max(status.busy(), core.loop().taken());
        return new SlotStatus(status.slots().size(), busy, busy - decoding, decoding);
    }

    /** Unknown: the model's memory is part of the server's own. */
    @Override
    public long residentBytes() {
        return -1;
    }

    @Override
    public boolean isAlive() {
        return core.isAlive();
    }

    GenerationCore core() {
        return core;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        core.close();
        onClose.accept(this);
        LOG.log(System.Logger.Level.INFO, "model ''{0}'' unloaded", spec.name());
    }
}
