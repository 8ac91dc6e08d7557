package dev.cerebrum.engine.ffm;

import dev.cerebrum.gguf.ModelShape.Architecture;

/**
 * The known-answer suite on the in-process engine, with the llama successor model: the same answers, slot use,
 * cancel and refusals as the ffm engine gives through its worker.
 */
class InProcessKnownAnswerIT extends FfmKnownAnswers {
    @Override
    protected String engineName() {
        return InProcessEngineProvider.NAME;
    }

    @Override
    protected Architecture architecture() {
        return Architecture.LLAMA;
    }
}
