package dev.cerebrum.engine.ffm;

import dev.cerebrum.gguf.ModelShape.Architecture;

/** The known-answer suite on the ffm engine, with the qwen3moe (mixture of experts) successor model. */
class FfmQwen3MoeKnownAnswerIT extends FfmKnownAnswers {
    @Override
    protected Architecture architecture() {
        return Architecture.QWEN3MOE;
    }
}
