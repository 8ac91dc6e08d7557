package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidRequestException;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The benchmark's raw reference on the current llama.cpp: the minimal C-API loop, with no scheduler, no worker
 * process and no text assembly. It loads the model with the engine's settings (same library, same context
 * parameters, weight repacking on), decodes the prompt in batches, then one token per {@code llama_decode} with the
 * engine's greedy sampler chain (end of generation forbidden), timing itself as a consumer would: the first
 * token's arrival, then each next token's. One generation at a time, on the calling thread.
 */
public final class ReferenceLoop implements AutoCloseable {

    private final NativeModel model;
    private final Batch batch;

    private ReferenceLoop(NativeModel model) {
        this.model = model;
        this.batch = new Batch(model.arena(), model.batchSize());
    }

    /**
     * Loads {@code model} with the llama.cpp of {@code natives}: one sequence of {@code contextSize} cells,
     * {@code threads} for generation and prompts, and {@code batchSize} as the batch (and at most 512 as the
     * micro-batch), as the engine would for a one-slot model.
     */
    public static ReferenceLoop open(Path natives, Path model, int contextSize, int threads, int batchSize) {
        CoreConfig config = new CoreConfig(model, contextSize, 1, threads, threads, batchSize,
                Math.min(CoreConfig.DEFAULT_MICRO_BATCH, batchSize), batchSize, false, true, 0);
        return new ReferenceLoop(NativeModel.load(LlamaRuntime.load(natives), config));
    }

    /**
     * One timed generation.
     *
     * @param promptTokens     tokens of the prompt
     * @param completionTokens tokens generated
     * @param ttftNanos        from the call to the first token
     * @param decodeNanos      from the first token to the last
     * @param totalNanos       from the call to the end
     */
    public record Run(int promptTokens, int completionTokens, long ttftNanos, long decodeNanos, long totalNanos) {
        /** Prompt tokens over the time to first token, per second. */
        public double promptTokensPerSecond() {
            return ttftNanos > 0 ? promptTokens * 1e9 / ttftNanos : Double.NaN;
        }

        /** Tokens after the first over the time from the first to the last, per second. */
        public double decodeTokensPerSecond() {
            return completionTokens > 1 && decodeNanos > 0 ? (completionTokens - 1) * 1e9 / decodeNanos : Double.NaN;
        }
    }

    /** Generates {@code tokens} tokens greedily after {@code prompt}, past any end of generation. */
    public Run run(String prompt, int tokens) {
        long start = System.nanoTime();
        model.clearSequence(0);
        int[] promptIds = model.tokenize(prompt);
        if (promptIds.length == 0 || promptIds.length + tokens > model.sequenceContext()) {
            throw new InvalidRequestException("prompt", "the prompt and the tokens do not fit the context");
        }
        MemorySegment sampler = model.samplerChain(GenerationRequest.builder(prompt).greedy().maxTokens(tokens)
                .ignoreEos(true).build(), 0);
        try {
            int position = 0;
            int last = -1;
            while (position < promptIds.length) {
                batch.clear();
                int n = Math.min(batch.capacity(), promptIds.length - position);
                for (int k = 0; k < n; k++) {
                    last = batch.add(promptIds[position + k], position + k, 0, position + k == promptIds.length - 1);
                }
                decode();
                position += n;
            }
            int token = model.sample(sampler, last);
            long first = System.nanoTime();
            long lastToken = first;
            for (int generated = 1; generated < tokens; generated++) {
                batch.clear();
                batch.add(token, position++, 0, true);
                decode();
                token = model.sample(sampler, 0);
                lastToken = System.nanoTime();
            }
            return new Run(promptIds.length, tokens, first - start, lastToken - first, System.nanoTime() - start);
        } finally {
            model.freeSampler(sampler);
        }
    }

    private void decode() {
        int result = model.decode(batch);
        if (result != 0) {
            throw new IllegalStateException("llama_decode failed with code " + result);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
