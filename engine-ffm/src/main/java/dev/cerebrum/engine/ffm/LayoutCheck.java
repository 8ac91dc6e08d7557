package dev.cerebrum.engine.ffm;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks the declared struct layouts against the library before anything else is called: a library that is
 * not the pinned one would otherwise read and write memory at the wrong offsets. Two checks per struct:
 * <ul>
 *   <li>size: the library's {@code llama_*_default_params()} writes its struct into a buffer larger than the
 *       declared layout and pre-filled with a sentinel; the bytes it wrote must end within the declared
 *       size (trailing padding may stay unwritten);</li>
 *   <li>offsets: the defaults read through the declared layout, field by field, must be the values the pinned
 *       source sets (for example {@code n_ctx} 512, {@code n_batch} 2048, {@code n_ubatch} 512, {@code n_seq_max}
 *       1 at offsets 0/4/8/12 and {@code n_threads} 4 at 28).</li>
 * </ul>
 * The defaults are returned by value in memory (the structs are larger than 16 bytes), so the oversized
 * buffer has the same calling convention as the declared one on x86-64 and AArch64.
 */
final class LayoutCheck {

    /** Spare bytes after the declared struct, so a larger real struct is caught instead of overflowing. */
    private static final long SLACK = 256;
    private static final byte SENTINEL = (byte) 0xA5;

    /** Defaults of {@code llama_model_default_params()} in the pinned source (src/llama-model.cpp). */
    static final Map<String, Object> MODEL_DEFAULTS = Map.ofEntries(
            Map.entry("devices", 0L),
            Map.entry("tensor_buft_overrides", 0L),
            Map.entry("n_gpu_layers", -1),
            Map.entry("split_mode", 1),
            Map.entry("load_mode", -1),
            Map.entry("lazy_mode", 1),
            Map.entry("main_gpu", 0),
            Map.entry("tensor_split", 0L),
            Map.entry("progress_callback", 0L),
            Map.entry("kv_overrides", 0L),
            Map.entry("vocab_only", false),
            Map.entry("check_tensors", false),
            Map.entry("use_extra_bufts", true),
            Map.entry("no_host", false),
            Map.entry("no_alloc", false),
            Map.entry("load_mtp", false));

    /** Defaults of {@code llama_context_default_params()} in the pinned source (src/llama-context.cpp). */
    static final Map<String, Object> CONTEXT_DEFAULTS = Map.ofEntries(
            Map.entry("n_ctx", 512),
            Map.entry("n_batch", 2048),
            Map.entry("n_ubatch", 512),
            Map.entry("n_seq_max", 1),
            Map.entry("n_rs_seq", 0),
            Map.entry("n_outputs_max", 0),
            Map.entry("n_outputs_max_per_seq", 1),
            Map.entry("n_threads", 4),
            Map.entry("n_threads_batch", 4),
            Map.entry("ctx_type", 0),
            Map.entry("flash_attn_type", LlamaLayouts.FLASH_ATTN_AUTO),
            Map.entry("rope_freq_base", 0f),
            Map.entry("yarn_ext_factor", -1f),
            Map.entry("yarn_attn_factor", -1f),
            Map.entry("yarn_beta_fast", -1f),
            Map.entry("yarn_beta_slow", -1f),
            Map.entry("yarn_orig_ctx", 0),
            Map.entry("defrag_thold", -1f),
            Map.entry("cb_eval", 0L),
            Map.entry("type_k", 1),
            Map.entry("type_v", 1),
            Map.entry("abort_callback", 0L),
            Map.entry("embeddings", false),
            Map.entry("offload_kqv", true),
            Map.entry("no_perf", true),
            Map.entry("op_offload", true),
            Map.entry("swa_full", true),
            Map.entry("kv_unified", false),
            Map.entry("samplers", 0L),
            Map.entry("n_samplers", 0L),
            Map.entry("ctx_other", 0L));

    private LayoutCheck() {
    }

    /** Checks the layouts the engine uses; throws {@link IncompatibleNativesException} on any mismatch. */
    static void verify(LlamaLibrary library) {
        verify(library, LlamaLayouts.MODEL_PARAMS, LlamaLayouts.CONTEXT_PARAMS);
    }

    /** Checks {@code modelParams} and {@code contextParams} (tests pass deliberately wrong ones). */
    static void verify(LlamaLibrary library, StructLayout modelParams, StructLayout contextParams) {
        List<String> problems = new ArrayList<>();
        check(library, "llama_model_default_params", modelParams, MODEL_DEFAULTS, problems);
        check(library, "llama_context_default_params", contextParams, CONTEXT_DEFAULTS, problems);
        if (!problems.isEmpty()) {
            throw new IncompatibleNativesException("the llama.cpp library does not match the struct layouts this engine "
                    + "was built for (" + NativesPin.get().describe() + "); refusing to run: " + String.join("; ", problems));
        }
    }

    private static void check(LlamaLibrary library, String function, StructLayout layout, Map<String, Object> expected,
                              List<String> problems) {
        String struct = layout.name().orElse(function);
        MethodHandle defaults = library.downcall(function, FunctionDescriptor.of(LlamaLibrary.padded(layout, SLACK)));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] buffer = new MemorySegment[1];
            SegmentAllocator sentinelFilled = (size, alignment) -> {
                buffer[0] = arena.allocate(size, alignment).fill(SENTINEL);
                return buffer[0];
            };
            try {
                MemorySegment unused = (MemorySegment) defaults.invokeExact(sentinelFilled);
            } catch (Throwable t) {
                problems.add(function + " failed: " + t);
                return;
            }
            MemorySegment written = buffer[0];
            long extent = writtenExtent(written);
            long size = layout.byteSize();
            if (extent > size || extent <= size - 8) {
                problems.add(struct + " is declared as " + size + " bytes but the library wrote " + extent);
            }
            for (Map.Entry<String, Object> e : expected.entrySet()) {
                Object actual = read(written, layout, e.getKey());
                if (actual == null) {
                    problems.add(struct + " has no field " + e.getKey());
                } else if (!actual.equals(e.getValue())) {
                    problems.add(struct + "." + e.getKey() + " at offset "
                            + layout.byteOffset(MemoryLayout.PathElement.groupElement(e.getKey()))
                            + " reads " + actual + ", expected " + e.getValue());
                }
            }
        }
    }

    /** One past the last byte that differs from the sentinel. */
    private static long writtenExtent(MemorySegment segment) {
        for (long i = segment.byteSize() - 1; i >= 0; i--) {
            if (segment.get(ValueLayout.JAVA_BYTE, i) != SENTINEL) {
                return i + 1;
            }
        }
        return 0;
    }

    /** The named field as Integer, Long (pointers as their address), Float or Boolean; null if there is none. */
    private static Object read(MemorySegment segment, StructLayout layout, String name) {
        MemoryLayout.PathElement path = MemoryLayout.PathElement.groupElement(name);
        MemoryLayout field;
        try {
            field = layout.select(path);
        } catch (IllegalArgumentException e) {
            return null;
        }
        long offset = layout.byteOffset(path);
        return switch (field) {
            case ValueLayout.OfInt i -> segment.get(i, offset);
            case ValueLayout.OfLong l -> segment.get(l, offset);
            case ValueLayout.OfFloat f -> segment.get(f, offset);
            case ValueLayout.OfBoolean b -> segment.get(ValueLayout.JAVA_BYTE, offset) == 1 ? Boolean.TRUE
                    : segment.get(ValueLayout.JAVA_BYTE, offset) == 0 ? Boolean.FALSE
                    : "byte " + segment.get(ValueLayout.JAVA_BYTE, offset);
            case AddressLayout a -> segment.get(a, offset).address();
            default -> "a " + field;
        };
    }
}
