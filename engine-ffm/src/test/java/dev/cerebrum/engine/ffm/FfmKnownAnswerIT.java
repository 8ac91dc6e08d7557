package dev.cerebrum.engine.ffm;

import dev.cerebrum.gguf.ModelShape.Architecture;

/** The known-answer suite on the ffm engine, with the llama successor model. */
class FfmKnownAnswerIT extends FfmKnownAnswers {
    @Override
    protected Architecture architecture() {
        return Architecture.LLAMA;
    }
}
