package dev.cerebrum.engine.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C structs of {@code include/llama.h} at the pinned source commit (llama-natives.properties), declared
 * once. Sizes: {@code llama_model_params} 80 bytes, {@code llama_context_params} 160, {@code llama_batch} 56;
 * checked at start by {@link LayoutCheck} against what the library itself returns. Padding is spelled out
 * where the C compiler inserts it (FFM refuses a misaligned field instead).
 */
final class LlamaLayouts {

    /** {@code struct llama_model_params}. */
    static final StructLayout MODEL_PARAMS = MemoryLayout.structLayout(
            ADDRESS.withName("devices"),
            ADDRESS.withName("tensor_buft_overrides"),
            JAVA_INT.withName("n_gpu_layers"),
            JAVA_INT.withName("split_mode"),
            JAVA_INT.withName("load_mode"),
            JAVA_INT.withName("lazy_mode"),
            JAVA_INT.withName("main_gpu"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("tensor_split"),
            ADDRESS.withName("progress_callback"),
            ADDRESS.withName("progress_callback_user_data"),
            ADDRESS.withName("kv_overrides"),
            JAVA_BOOLEAN.withName("vocab_only"),
            JAVA_BOOLEAN.withName("check_tensors"),
            JAVA_BOOLEAN.withName("use_extra_bufts"),
            JAVA_BOOLEAN.withName("no_host"),
            JAVA_BOOLEAN.withName("no_alloc"),
            JAVA_BOOLEAN.withName("load_mtp"),
            MemoryLayout.paddingLayout(2)
    ).withName("llama_model_params");

    /** {@code struct llama_context_params}. */
    static final StructLayout CONTEXT_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("n_ctx"),
            JAVA_INT.withName("n_batch"),
            JAVA_INT.withName("n_ubatch"),
            JAVA_INT.withName("n_seq_max"),
            JAVA_INT.withName("n_rs_seq"),
            JAVA_INT.withName("n_outputs_max"),
            JAVA_INT.withName("n_outputs_max_per_seq"),
            JAVA_INT.withName("n_threads"),
            JAVA_INT.withName("n_threads_batch"),
            JAVA_INT.withName("ctx_type"),
            JAVA_INT.withName("rope_scaling_type"),
            JAVA_INT.withName("pooling_type"),
            JAVA_INT.withName("attention_type"),
            JAVA_INT.withName("flash_attn_type"),
            JAVA_FLOAT.withName("rope_freq_base"),
            JAVA_FLOAT.withName("rope_freq_scale"),
            JAVA_FLOAT.withName("yarn_ext_factor"),
            JAVA_FLOAT.withName("yarn_attn_factor"),
            JAVA_FLOAT.withName("yarn_beta_fast"),
            JAVA_FLOAT.withName("yarn_beta_slow"),
            JAVA_INT.withName("yarn_orig_ctx"),
            JAVA_FLOAT.withName("defrag_thold"),
            ADDRESS.withName("cb_eval"),
            ADDRESS.withName("cb_eval_user_data"),
            JAVA_INT.withName("type_k"),
            JAVA_INT.withName("type_v"),
            ADDRESS.withName("abort_callback"),
            ADDRESS.withName("abort_callback_data"),
            JAVA_BOOLEAN.withName("embeddings"),
            JAVA_BOOLEAN.withName("offload_kqv"),
            JAVA_BOOLEAN.withName("no_perf"),
            JAVA_BOOLEAN.withName("op_offload"),
            JAVA_BOOLEAN.withName("swa_full"),
            JAVA_BOOLEAN.withName("kv_unified"),
            MemoryLayout.paddingLayout(2),
            ADDRESS.withName("samplers"),
            JAVA_LONG.withName("n_samplers"),
            ADDRESS.withName("ctx_other")
    ).withName("llama_context_params");

    /** {@code struct llama_batch}: the arrays are ours, allocated once per context. */
    static final StructLayout BATCH = MemoryLayout.structLayout(
            JAVA_INT.withName("n_tokens"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("token"),
            ADDRESS.withName("embd"),
            ADDRESS.withName("pos"),
            ADDRESS.withName("n_seq_id"),
            ADDRESS.withName("seq_id"),
            ADDRESS.withName("logits")
    ).withName("llama_batch");

    /** {@code struct llama_sampler_chain_params}. */
    static final StructLayout SAMPLER_CHAIN_PARAMS = MemoryLayout.structLayout(
            JAVA_BOOLEAN.withName("no_perf")
    ).withName("llama_sampler_chain_params");

    /** {@code struct llama_logit_bias}. */
    static final StructLayout LOGIT_BIAS = MemoryLayout.structLayout(
            JAVA_INT.withName("token"),
            JAVA_FLOAT.withName("bias")
    ).withName("llama_logit_bias");

    /** {@code enum llama_load_mode}: LLAMA_LOAD_MODE_NONE (read into memory). */
    static final int LOAD_MODE_NONE = 0;
    /** {@code enum llama_load_mode}: LLAMA_LOAD_MODE_MMAP. */
    static final int LOAD_MODE_MMAP = 1;
    /** {@code enum llama_flash_attn_type}: LLAMA_FLASH_ATTN_TYPE_AUTO. */
    static final int FLASH_ATTN_AUTO = -1;

    private LlamaLayouts() {
    }

    /** The byte offset of the named field of {@code layout}. */
    static long offset(StructLayout layout, String name) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    static void setInt(MemorySegment struct, StructLayout layout, String name, int value) {
        struct.set(JAVA_INT, offset(layout, name), value);
    }

    static void setBoolean(MemorySegment struct, StructLayout layout, String name, boolean value) {
        struct.set(JAVA_BOOLEAN, offset(layout, name), value);
    }
}
