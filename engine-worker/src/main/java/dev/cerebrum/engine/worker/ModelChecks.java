package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.InvalidRequestException;
import dev.cerebrum.engine.ModelInfo;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.UnsupportedArchitectureException;
import dev.cerebrum.grammar.Grammar;
import dev.cerebrum.grammar.GrammarException;

/**
 * The checks every engine makes before llama.cpp sees a spec or a request: llama.cpp accepts settings and
 * grammars it then crashes or misbehaves on (an invalid model parameter can leave the binding without a
 * context), so they are refused here with a clear message.
 */
public final class ModelChecks {
    /** The largest batch size accepted. */
    public static final int MAX_BATCH_SIZE = 16_384;

    private ModelChecks() {
    }

    /**
     * The file's information, once {@code engine} can load its architecture and the spec passes {@link #check}.
     *
     * @throws UnsupportedArchitectureException when the engine cannot load the file's architecture
     */
    public static ModelInfo checkBeforeLoad(InferenceEngine engine, ModelSpec spec, int maxContext) {
        ModelInfo info = engine.inspect(spec);
        if (!engine.supportsArchitecture(info.architecture())) {
            throw UnsupportedArchitectureException.of(spec, info.architecture(), engine);
        }
        check(spec, info, maxContext);
        return info;
    }

    /**
     * Refuses a context beyond four times the trained one or beyond {@code maxContext}, more slots than the
     * context holds 16 tokens for, more than four threads per processor, and a huge batch.
     *
     * @throws InvalidModelException naming the model and the limit
     */
    public static void check(ModelSpec spec, ModelInfo info, int maxContext) {
        long limit = Math.min(maxContext, Math.max(1, info.trainedContext()) * 4);
        if (spec.contextSize() > limit) {
            throw new InvalidModelException("model '" + spec.name() + "': context size " + spec.contextSize()
                    + " exceeds the limit of " + limit + " (4x its trained context, at most " + maxContext + ")");
        }
        if (spec.parallel() > spec.contextSize() / 16) {
            throw new InvalidModelException("model '" + spec.name() + "': " + spec.parallel()
                    + " slots need a context of at least " + spec.parallel() * 16);
        }
        int maxThreads = 4 * Runtime.getRuntime().availableProcessors();
        if (spec.threads() > maxThreads || spec.batchThreads() > maxThreads) {
            throw new InvalidModelException("model '" + spec.name() + "': at most " + maxThreads
                    + " threads are allowed on this machine");
        }
        if (spec.batchSize() > MAX_BATCH_SIZE) {
            throw new InvalidModelException("model '" + spec.name() + "': batch size must be at most " + MAX_BATCH_SIZE);
        }
    }

    /**
     * llama.cpp ignores a grammar it cannot parse and generates unconstrained, and a hostile one can crash
     * the process or stall it for every slot: no grammar reaches llama.cpp unchecked.
     *
     * @throws InvalidRequestException naming what is wrong with the grammar
     */
    public static void checkGrammar(GenerationRequest request) {
        String grammar = request.grammar();
        if (grammar == null) {
            return;
        }
        if (request.ignoreEos()) {
            // Once the grammar is complete only end of sequence is allowed; with it forbidden no token is
            // left, and llama.cpp aborts (SIGABRT, seen with "root ::= \"xyz\"").
            throw new InvalidRequestException("ignore_eos", "ignore_eos cannot be combined with a grammar");
        }
        try {
            Grammar.parse(grammar);
        } catch (GrammarException e) {
            throw new InvalidRequestException("grammar", "invalid grammar: " + e.getMessage());
        }
    }
}
