package dev.cerebrum.engine.ffm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The struct layouts against the real library: the declared ones pass, wrong ones are refused before use. */
class LayoutCheckIT {

    static LlamaLibrary library;

    @BeforeAll
    static void natives() {
        library = TestNatives.runtime().library();
    }

    @Test
    void declaredLayouts_matchTheLibrary() {
        assertEquals(80, LlamaLayouts.MODEL_PARAMS.byteSize());
        assertEquals(160, LlamaLayouts.CONTEXT_PARAMS.byteSize());
        assertEquals(56, LlamaLayouts.BATCH.byteSize());
        assertEquals(28, LlamaLayouts.offset(LlamaLayouts.CONTEXT_PARAMS, "n_threads"));
        assertEquals(133, LlamaLayouts.offset(LlamaLayouts.CONTEXT_PARAMS, "kv_unified"));
        LayoutCheck.verify(library);
    }

    @Test
    void aLayoutMissingAField_isRefusedWithTheSizesAndTheShiftedFields() {
        // given the context params of an older header, without n_rs_seq and ctx_type (later fields move up)
        StructLayout old = without(LlamaLayouts.CONTEXT_PARAMS, "n_rs_seq", "ctx_type");

        // when checked, then it is refused: the library writes more bytes, and n_threads reads a wrong value
        IncompatibleNativesException e = assertThrows(IncompatibleNativesException.class,
                () -> LayoutCheck.verify(library, LlamaLayouts.MODEL_PARAMS, old));
        assertTrue(e.getMessage().contains("llama_context_params is declared as 152 bytes but the library wrote 160"), e.getMessage());
        assertTrue(e.getMessage().contains("n_threads at offset 24"), e.getMessage());
        assertTrue(e.getMessage().contains("refusing to run"), e.getMessage());
    }

    @Test
    void aLayoutWithSwappedFieldsOfTheSameSize_isRefusedByTheDefaults() {
        // given model params whose load_mode and lazy_mode are swapped: same size, wrong offsets
        StructLayout swapped = renamed(LlamaLayouts.MODEL_PARAMS, "load_mode", "lazy_mode");

        IncompatibleNativesException e = assertThrows(IncompatibleNativesException.class,
                () -> LayoutCheck.verify(library, swapped, LlamaLayouts.CONTEXT_PARAMS));
        assertTrue(e.getMessage().contains("llama_model_params.load_mode at offset 28 reads 1, expected -1"), e.getMessage());
    }

    private static StructLayout without(StructLayout layout, String... names) {
        List<MemoryLayout> members = new ArrayList<>();
        for (MemoryLayout m : layout.memberLayouts()) {
            if (!List.of(names).contains(m.name().orElse(""))) {
                members.add(m);
            }
        }
        return MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new)).withName(layout.name().orElseThrow());
    }

    private static StructLayout renamed(StructLayout layout, String a, String b) {
        List<MemoryLayout> members = new ArrayList<>();
        for (MemoryLayout m : layout.memberLayouts()) {
            String n = m.name().orElse("");
            members.add(n.equals(a) ? m.withName(b) : n.equals(b) ? m.withName(a) : m);
        }
        return MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new)).withName(layout.name().orElseThrow());
    }
}
