package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.EngineFailureException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one place that looks up symbols of the llama.cpp libraries and holds their downcall handles. Each
 * method calls one C function of {@code llama.h} (or, for loading, {@code ggml_backend_load_all_from_path} and
 * {@code ggml_backend_dev_count} of libggml) with
 * {@code invokeExact}; pointers are {@link MemorySegment}s of size 0, as the linker returns them. Thread
 * safety is llama.cpp's: a context is used by one thread at a time, tokenisation and vocabulary reads from
 * any thread.
 */
final class LlamaLibrary {

    private static final Linker LINKER = Linker.nativeLinker();

    private final SymbolLookup llama;
    private final SymbolLookup ggml;

    private final MethodHandle backendLoadAllFromPath;
    private final MethodHandle backendDevCount;
    private final MethodHandle backendInit;
    private final MethodHandle logSet;
    private final MethodHandle printSystemInfo;
    private final MethodHandle modelDefaultParams;
    private final MethodHandle contextDefaultParams;
    private final MethodHandle modelLoadFromFile;
    private final MethodHandle modelFree;
    private final MethodHandle initFromModel;
    private final MethodHandle free;
    private final MethodHandle modelGetVocab;
    private final MethodHandle modelMetaValStr;
    private final MethodHandle modelNCtxTrain;
    private final MethodHandle modelSize;
    private final MethodHandle vocabNTokens;
    private final MethodHandle vocabIsEog;
    private final MethodHandle tokenize;
    private final MethodHandle tokenToPiece;
    private final MethodHandle nCtx;
    private final MethodHandle nCtxSeq;
    private final MethodHandle nBatch;
    private final MethodHandle nUbatch;
    private final MethodHandle nSeqMax;
    private final MethodHandle getMemory;
    private final MethodHandle memorySeqRm;
    private final MethodHandle memorySeqPosMax;
    private final MethodHandle decode;
    private final MethodHandle samplerChainInit;
    private final MethodHandle samplerChainAdd;
    private final MethodHandle samplerInitGreedy;
    private final MethodHandle samplerInitDist;
    private final MethodHandle samplerInitTopK;
    private final MethodHandle samplerInitTopP;
    private final MethodHandle samplerInitMinP;
    private final MethodHandle samplerInitTemp;
    private final MethodHandle samplerInitPenalties;
    private final MethodHandle samplerInitGrammar;
    private final MethodHandle samplerInitLogitBias;
    private final MethodHandle samplerSample;
    private final MethodHandle samplerFree;

    private LlamaLibrary(SymbolLookup llama, SymbolLookup ggml) {
        this.llama = llama;
        this.ggml = ggml;
        backendLoadAllFromPath = downcall("ggml_backend_load_all_from_path", FunctionDescriptor.ofVoid(ADDRESS));
        backendDevCount = downcall("ggml_backend_dev_count", FunctionDescriptor.of(JAVA_LONG));
        backendInit = downcall("llama_backend_init", FunctionDescriptor.ofVoid());
        logSet = downcall("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        printSystemInfo = downcall("llama_print_system_info", FunctionDescriptor.of(ADDRESS));
        modelDefaultParams = downcall("llama_model_default_params", FunctionDescriptor.of(LlamaLayouts.MODEL_PARAMS));
        contextDefaultParams = downcall("llama_context_default_params", FunctionDescriptor.of(LlamaLayouts.CONTEXT_PARAMS));
        modelLoadFromFile = downcall("llama_model_load_from_file",
                FunctionDescriptor.of(ADDRESS, ADDRESS, LlamaLayouts.MODEL_PARAMS));
        modelFree = downcall("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        initFromModel = downcall("llama_init_from_model",
                FunctionDescriptor.of(ADDRESS, ADDRESS, LlamaLayouts.CONTEXT_PARAMS));
        free = downcall("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
        modelGetVocab = downcall("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
        modelMetaValStr = downcall("llama_model_meta_val_str",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        modelNCtxTrain = downcall("llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelSize = downcall("llama_model_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        vocabNTokens = downcall("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabIsEog = downcall("llama_vocab_is_eog", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT),
                Linker.Option.critical(false));
        tokenize = downcall("llama_tokenize", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        tokenToPiece = downcall("llama_token_to_piece", FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
        nCtx = downcall("llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        nCtxSeq = downcall("llama_n_ctx_seq", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        nBatch = downcall("llama_n_batch", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        nUbatch = downcall("llama_n_ubatch", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        nSeqMax = downcall("llama_n_seq_max", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getMemory = downcall("llama_get_memory", FunctionDescriptor.of(ADDRESS, ADDRESS));
        memorySeqRm = downcall("llama_memory_seq_rm",
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        memorySeqPosMax = downcall("llama_memory_seq_pos_max", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        decode = downcall("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, LlamaLayouts.BATCH));
        samplerChainInit = downcall("llama_sampler_chain_init",
                FunctionDescriptor.of(ADDRESS, LlamaLayouts.SAMPLER_CHAIN_PARAMS));
        samplerChainAdd = downcall("llama_sampler_chain_add", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        samplerInitGreedy = downcall("llama_sampler_init_greedy", FunctionDescriptor.of(ADDRESS));
        samplerInitDist = downcall("llama_sampler_init_dist", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        samplerInitTopK = downcall("llama_sampler_init_top_k", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        samplerInitTopP = downcall("llama_sampler_init_top_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        samplerInitMinP = downcall("llama_sampler_init_min_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        samplerInitTemp = downcall("llama_sampler_init_temp", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT));
        samplerInitPenalties = downcall("llama_sampler_init_penalties",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
        samplerInitGrammar = downcall("llama_sampler_init_grammar",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        samplerInitLogitBias = downcall("llama_sampler_init_logit_bias",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        samplerSample = downcall("llama_sampler_sample", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        samplerFree = downcall("llama_sampler_free", FunctionDescriptor.ofVoid(ADDRESS));
    }

    /**
     * Opens {@code libllama} and {@code libggml} in {@code dir} (their dependencies are found through their
     * {@code $ORIGIN} run path). The libraries stay loaded for the life of the process.
     */
    static LlamaLibrary open(Path dir) {
        Path llamaFile = find(dir, "libllama");
        Path ggmlFile = find(dir, "libggml");
        try {
            return new LlamaLibrary(SymbolLookup.libraryLookup(llamaFile, Arena.global()),
                    SymbolLookup.libraryLookup(ggmlFile, Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new EngineFailureException("cannot load the llama.cpp libraries from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** {@code NAME.so} or a versioned {@code NAME.vX.Y.Z.so}, never {@code NAME-something.so}. */
    private static Path find(Path dir, String name) {
        return locate(dir, name).orElseThrow(() -> new EngineFailureException("no " + name + ".so in " + dir));
    }

    /** The library {@code NAME} in {@code dir}, if it is there; empty too when {@code dir} cannot be listed. */
    static Optional<Path> locate(Path dir, String name) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return n.equals(name + ".so") || (n.startsWith(name + ".v") && n.endsWith(".so"));
            }).sorted().reduce((first, second) -> second);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True when {@code dir} holds the libraries {@link #open} needs. */
    static boolean present(Path dir) {
        return locate(dir, "libllama").isPresent() && locate(dir, "libggml").isPresent();
    }

    /** A downcall handle on {@code name}, looked up in libllama, then libggml. */
    MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = llama.find(name).or(() -> ggml.find(name))
                .orElseThrow(() -> new EngineFailureException("the llama.cpp library has no symbol " + name
                        + ": it is not the pinned version"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** An upcall stub for {@code target} that lives as long as the process. */
    static MemorySegment upcall(MethodHandle target, FunctionDescriptor descriptor) {
        return LINKER.upcallStub(target, descriptor, Arena.global());
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    void backendLoadAllFromPath(MemorySegment dir) {
        try {
            backendLoadAllFromPath.invokeExact(dir);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long backendDevCount() {
        try {
            return (long) backendDevCount.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void backendInit() {
        try {
            backendInit.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void logSet(MemorySegment callback, MemorySegment userData) {
        try {
            logSet.invokeExact(callback, userData);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment printSystemInfo() {
        try {
            return (MemorySegment) printSystemInfo.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment modelDefaultParams(SegmentAllocator allocator) {
        try {
            return (MemorySegment) modelDefaultParams.invokeExact(allocator);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment contextDefaultParams(SegmentAllocator allocator) {
        try {
            return (MemorySegment) contextDefaultParams.invokeExact(allocator);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment modelLoadFromFile(MemorySegment path, MemorySegment params) {
        try {
            return (MemorySegment) modelLoadFromFile.invokeExact(path, params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void modelFree(MemorySegment model) {
        try {
            modelFree.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment initFromModel(MemorySegment model, MemorySegment params) {
        try {
            return (MemorySegment) initFromModel.invokeExact(model, params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void free(MemorySegment context) {
        try {
            free.invokeExact(context);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment modelGetVocab(MemorySegment model) {
        try {
            return (MemorySegment) modelGetVocab.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int modelMetaValStr(MemorySegment model, MemorySegment key, MemorySegment buf, long size) {
        try {
            return (int) modelMetaValStr.invokeExact(model, key, buf, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int modelNCtxTrain(MemorySegment model) {
        try {
            return (int) modelNCtxTrain.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long modelSize(MemorySegment model) {
        try {
            return (long) modelSize.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int vocabNTokens(MemorySegment vocab) {
        try {
            return (int) vocabNTokens.invokeExact(vocab);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    boolean vocabIsEog(MemorySegment vocab, int token) {
        try {
            return (boolean) vocabIsEog.invokeExact(vocab, token);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int tokenize(MemorySegment vocab, MemorySegment text, int textLength, MemorySegment tokens, int maxTokens,
                 boolean addSpecial, boolean parseSpecial) {
        try {
            return (int) tokenize.invokeExact(vocab, text, textLength, tokens, maxTokens, addSpecial, parseSpecial);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int tokenToPiece(MemorySegment vocab, int token, MemorySegment buf, int length, int lstrip, boolean special) {
        try {
            return (int) tokenToPiece.invokeExact(vocab, token, buf, length, lstrip, special);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int nCtx(MemorySegment context) {
        return intOf(nCtx, context);
    }

    int nCtxSeq(MemorySegment context) {
        return intOf(nCtxSeq, context);
    }

    int nBatch(MemorySegment context) {
        return intOf(nBatch, context);
    }

    int nUbatch(MemorySegment context) {
        return intOf(nUbatch, context);
    }

    int nSeqMax(MemorySegment context) {
        return intOf(nSeqMax, context);
    }

    private static int intOf(MethodHandle handle, MemorySegment pointer) {
        try {
            return (int) handle.invokeExact(pointer);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment getMemory(MemorySegment context) {
        try {
            return (MemorySegment) getMemory.invokeExact(context);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    boolean memorySeqRm(MemorySegment memory, int seq, int p0, int p1) {
        try {
            return (boolean) memorySeqRm.invokeExact(memory, seq, p0, p1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int memorySeqPosMax(MemorySegment memory, int seq) {
        try {
            return (int) memorySeqPosMax.invokeExact(memory, seq);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int decode(MemorySegment context, MemorySegment batch) {
        try {
            return (int) decode.invokeExact(context, batch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerChainInit(MemorySegment params) {
        try {
            return (MemorySegment) samplerChainInit.invokeExact(params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void samplerChainAdd(MemorySegment chain, MemorySegment sampler) {
        try {
            samplerChainAdd.invokeExact(chain, sampler);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitGreedy() {
        try {
            return (MemorySegment) samplerInitGreedy.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitDist(int seed) {
        try {
            return (MemorySegment) samplerInitDist.invokeExact(seed);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitTopK(int k) {
        try {
            return (MemorySegment) samplerInitTopK.invokeExact(k);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitTopP(float p, long minKeep) {
        try {
            return (MemorySegment) samplerInitTopP.invokeExact(p, minKeep);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitMinP(float p, long minKeep) {
        try {
            return (MemorySegment) samplerInitMinP.invokeExact(p, minKeep);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitTemp(float t) {
        try {
            return (MemorySegment) samplerInitTemp.invokeExact(t);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    MemorySegment samplerInitPenalties(int nVocab, int lastN, float repeat, float frequency, float presence) {
        try {
            return (MemorySegment) samplerInitPenalties.invokeExact(nVocab, lastN, repeat, frequency, presence);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitGrammar(MemorySegment vocab, MemorySegment grammar, MemorySegment root) {
        try {
            return (MemorySegment) samplerInitGrammar.invokeExact(vocab, grammar, root);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitLogitBias(int nVocab, int count, MemorySegment biases) {
        try {
            return (MemorySegment) samplerInitLogitBias.invokeExact(nVocab, count, biases);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int samplerSample(MemorySegment sampler, MemorySegment context, int index) {
        try {
            return (int) samplerSample.invokeExact(sampler, context, index);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void samplerFree(MemorySegment sampler) {
        try {
            samplerFree.invokeExact(sampler);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * A layout of {@code struct} followed by {@code slack} spare bytes (see {@link LayoutCheck}); the spare bytes
     * are an array of longs, because the linker refuses a struct that ends in more padding than C would add.
     */
    static MemoryLayout padded(MemoryLayout struct, long slack) {
        return MemoryLayout.structLayout(struct, MemoryLayout.sequenceLayout(slack / JAVA_LONG.byteSize(), JAVA_LONG));
    }
}
