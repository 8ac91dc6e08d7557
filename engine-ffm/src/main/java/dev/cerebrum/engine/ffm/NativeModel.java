package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.InvalidRequestException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A loaded llama.cpp model with its context: what one worker holds. Tokenising and building sampler chains
 * may happen on any thread (they only read the vocabulary); decoding and sampling belong to the decode thread.
 */
final class NativeModel implements AutoCloseable {

    /** llama-server's default: the repeat penalty looks at the last 64 tokens. */
    static final int PENALTY_LAST_N = 64;

    private final LlamaLibrary library;
    private final Arena arena;
    private final MemorySegment model;
    private final MemorySegment context;
    private final MemorySegment vocab;
    private final MemorySegment memory;
    private final int vocabSize;
    /** {@code llama_logit_bias[]} that forbids every end-of-generation token, for {@code ignore_eos}. */
    private final MemorySegment noEndOfGeneration;
    private final int endOfGenerationTokens;
    private final String architecture;
    private final int contextSize;
    private final int sequenceContext;
    private final int batchSize;

    private NativeModel(LlamaLibrary library, Arena arena, MemorySegment model, MemorySegment context) {
        this.library = library;
        this.arena = arena;
        this.model = model;
        this.context = context;
        this.vocab = library.modelGetVocab(model);
        this.memory = library.getMemory(context);
        this.vocabSize = library.vocabNTokens(vocab);
        int eog = 0;
        for (int t = 0; t < vocabSize; t++) {
            if (library.vocabIsEog(vocab, t)) {
                eog++;
            }
        }
        this.endOfGenerationTokens = eog;
        this.noEndOfGeneration = arena.allocate(LlamaLayouts.LOGIT_BIAS, Math.max(1, eog));
        for (int t = 0, i = 0; t < vocabSize; t++) {
            if (library.vocabIsEog(vocab, t)) {
                noEndOfGeneration.setAtIndex(JAVA_INT, 2L * i, t);
                noEndOfGeneration.setAtIndex(JAVA_FLOAT, 2L * i + 1, Float.NEGATIVE_INFINITY);
                i++;
            }
        }
        this.architecture = metadata("general.architecture");
        this.contextSize = library.nCtx(context);
        this.sequenceContext = library.nCtxSeq(context);
        this.batchSize = library.nBatch(context);
    }

    /** Loads the model and creates its context as {@code config} says. */
    static NativeModel load(LlamaRuntime runtime, CoreConfig config) {
        if (!Files.isRegularFile(config.model())) {
            throw new InvalidModelException("the model file " + config.model().getFileName() + " does not exist");
        }
        LlamaLibrary library = runtime.library();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment modelParams = library.modelDefaultParams(arena);
            LlamaLayouts.setInt(modelParams, LlamaLayouts.MODEL_PARAMS, "n_gpu_layers", 0);
            LlamaLayouts.setInt(modelParams, LlamaLayouts.MODEL_PARAMS, "load_mode",
                    config.mmap() ? LlamaLayouts.LOAD_MODE_MMAP : LlamaLayouts.LOAD_MODE_NONE);
            // use_extra_bufts stays on (llama.cpp's default): the CPU backend keeps a second, repacked copy of the
            // matrices it has interleaved kernels for (Q4_0, Q4_K, IQ4_NL, MXFP4 on x86-64). Measured on a random
            // TinyLlama-shape Q4_0 model (590 MiB of tensors, 128-token prompt, 64 tokens, median of 3): with it
            // 136.9 / 262.8 prompt tok/s and 36.2 / 57.4 decode tok/s at 1 / 2 threads, RSS 1,269 MiB; without it
            // 56.6 / 108.5 and 23.7 / 35.6, RSS 741 MiB. 2.4x the prompt speed is worth the memory, so the copy is
            // counted in the estimate instead (MemoryEstimator.repackedBytes).
            MemorySegment model = library.modelLoadFromFile(arena.allocateFrom(config.model().toString()), modelParams);
            if (model.address() == 0) {
                throw new InvalidModelException("llama.cpp could not load " + config.model().getFileName()
                        + " (the log of cerebrum.llama says why)");
            }
            MemorySegment contextParams = library.contextDefaultParams(arena);
            var layout = LlamaLayouts.CONTEXT_PARAMS;
            LlamaLayouts.setInt(contextParams, layout, "n_ctx", config.contextSize());
            LlamaLayouts.setInt(contextParams, layout, "n_batch", config.batchSize());
            LlamaLayouts.setInt(contextParams, layout, "n_ubatch", config.microBatchSize());
            LlamaLayouts.setInt(contextParams, layout, "n_seq_max", config.slots());
            LlamaLayouts.setInt(contextParams, layout, "n_threads", config.threads());
            LlamaLayouts.setInt(contextParams, layout, "n_threads_batch", config.batchThreads());
            LlamaLayouts.setBoolean(contextParams, layout, "kv_unified", config.kvUnified());
            LlamaLayouts.setBoolean(contextParams, layout, "no_perf", true);
            MemorySegment context = library.initFromModel(model, contextParams);
            if (context.address() == 0) {
                library.modelFree(model);
                throw new InvalidModelException("llama.cpp could not create a context for " + config.model().getFileName()
                        + " (the log of cerebrum.llama says why)");
            }
            return new NativeModel(library, arena, model, context);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** A metadata value of the model as a string, or "" when it has none. */
    String metadata(String key) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            int n = library.modelMetaValStr(model, a.allocateFrom(key), buf, buf.byteSize());
            if (n < 0) {
                return "";
            }
            if (n >= buf.byteSize()) {
                buf = a.allocate(n + 1L);
                library.modelMetaValStr(model, a.allocateFrom(key), buf, buf.byteSize());
            }
            return buf.getString(0);
        }
    }

    /**
     * The tokens of a prompt as llama-server makes them: special tokens added as the vocabulary says (BOS) and
     * special-token text such as {@code <|im_start|>} parsed as those tokens.
     */
    int[] tokenize(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment textSegment = a.allocate(utf8.length + 1L);
            MemorySegment.copy(utf8, 0, textSegment, JAVA_BYTE, 0, utf8.length);
            int capacity = utf8.length + 8;
            MemorySegment tokens = a.allocate(JAVA_INT, capacity);
            int n = library.tokenize(vocab, textSegment, utf8.length, tokens, capacity, true, true);
            if (n == Integer.MIN_VALUE) {
                throw new InvalidRequestException("prompt", "the prompt has too many tokens");
            }
            if (n < 0) {
                capacity = -n;
                tokens = a.allocate(JAVA_INT, capacity);
                n = library.tokenize(vocab, textSegment, utf8.length, tokens, capacity, true, true);
            }
            return tokens.asSlice(0, (long) n * JAVA_INT.byteSize()).toArray(JAVA_INT);
        }
    }

    /**
     * Writes the text of {@code token} (special tokens render as nothing, as in llama-server) into
     * {@code buffer}; returns its length, or minus the length needed when the buffer is too small.
     */
    int piece(int token, MemorySegment buffer) {
        return library.tokenToPiece(vocab, token, buffer, (int) buffer.byteSize(), 0, false);
    }

    boolean isEndOfGeneration(int token) {
        return library.vocabIsEog(vocab, token);
    }

    /**
     * The sampler chain of {@code request}, llama-server's order: grammar, penalties, then greedy at
     * temperature 0, else top-k, top-p, min-p, temperature and a seeded draw. The caller owns it.
     *
     * @throws InvalidRequestException when the grammar does not parse (llama.cpp logs why)
     */
    MemorySegment samplerChain(GenerationRequest request, long defaultSeed) {
        MemorySegment chain;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(LlamaLayouts.SAMPLER_CHAIN_PARAMS);
            LlamaLayouts.setBoolean(params, LlamaLayouts.SAMPLER_CHAIN_PARAMS, "no_perf", true);
            chain = library.samplerChainInit(params);
            if (request.grammar() != null) {
                MemorySegment grammar = library.samplerInitGrammar(vocab, a.allocateFrom(request.grammar()), a.allocateFrom("root"));
                if (grammar.address() == 0) {
                    library.samplerFree(chain);
                    throw new InvalidRequestException("grammar", "the grammar could not be parsed"
                            + " (GBNF with a root rule is expected)");
                }
                library.samplerChainAdd(chain, grammar);
            }
        }
        // A grammar decides where the output ends; forbidding the end would leave it no valid token.
        if (request.ignoreEos() && request.grammar() == null && endOfGenerationTokens > 0) {
            library.samplerChainAdd(chain, library.samplerInitLogitBias(vocabSize, endOfGenerationTokens, noEndOfGeneration));
        }
        if (request.repeatPenalty() != 1.0) {
            library.samplerChainAdd(chain, library.samplerInitPenalties(vocabSize, PENALTY_LAST_N,
                    (float) request.repeatPenalty(), 0f, 0f));
        }
        if (request.temperature() == 0) {
            library.samplerChainAdd(chain, library.samplerInitGreedy());
            return chain;
        }
        if (request.topK() > 0) {
            library.samplerChainAdd(chain, library.samplerInitTopK(request.topK()));
        }
        if (request.topP() < 1) {
            library.samplerChainAdd(chain, library.samplerInitTopP((float) request.topP(), 1));
        }
        if (request.minP() > 0) {
            library.samplerChainAdd(chain, library.samplerInitMinP((float) request.minP(), 1));
        }
        library.samplerChainAdd(chain, library.samplerInitTemp((float) request.temperature()));
        long seed = request.seed() != null ? request.seed() : defaultSeed;
        library.samplerChainAdd(chain, library.samplerInitDist((int) seed));
        return chain;
    }

    void freeSampler(MemorySegment sampler) {
        library.samplerFree(sampler);
    }

    /** Samples (and accepts) the next token of the output at {@code batchIndex} of the last decode. */
    int sample(MemorySegment sampler, int batchIndex) {
        return library.samplerSample(sampler, context, batchIndex);
    }

    /** Runs one decode step; 0 on success, llama.cpp's code otherwise. */
    int decode(Batch batch) {
        return library.decode(context, batch.struct());
    }

    /**
     * Removes the cells of {@code seq} from position {@code from} on, keeping the ones before; false when the
     * memory cannot cut a sequence there (recurrent and hybrid models), and the caller clears it all.
     */
    boolean truncateSequence(int seq, int from) {
        return library.memorySeqRm(memory, seq, from, -1);
    }

    /** Removes a sequence from the KV cache. Removing a whole sequence never fails. */
    void clearSequence(int seq) {
        library.memorySeqRm(memory, seq, -1, -1);
    }

    /** The highest position the KV cache holds for {@code seq}, or -1. */
    int lastPosition(int seq) {
        return library.memorySeqPosMax(memory, seq);
    }

    String architecture() {
        return architecture;
    }

    int vocabSize() {
        return vocabSize;
    }

    /** The context llama.cpp created ({@code n_ctx}, padded to a multiple of 256). */
    int contextSize() {
        return contextSize;
    }

    /** The cells one sequence may use ({@code n_ctx_seq}). */
    int sequenceContext() {
        return sequenceContext;
    }

    int batchSize() {
        return batchSize;
    }

    int trainedContext() {
        return library.modelNCtxTrain(model);
    }

    long weightBytes() {
        return library.modelSize(model);
    }

    Arena arena() {
        return arena;
    }

    @Override
    public void close() {
        library.free(context);
        library.modelFree(model);
        arena.close();
    }
}
