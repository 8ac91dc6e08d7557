package dev.cerebrum.engine.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One {@code llama_batch} and its arrays, allocated once and refilled every decode step (nothing is allocated
 * per token). Each entry belongs to exactly one sequence. Used by the decode thread only.
 */
final class Batch {

    private final MemorySegment struct;
    private final MemorySegment token;
    private final MemorySegment pos;
    private final MemorySegment seqIds;
    private final MemorySegment logits;
    private final int capacity;
    private int size;

    Batch(Arena arena, int capacity) {
        this.capacity = capacity;
        struct = arena.allocate(LlamaLayouts.BATCH);
        token = arena.allocate(JAVA_INT, capacity);
        pos = arena.allocate(JAVA_INT, capacity);
        MemorySegment nSeqId = arena.allocate(JAVA_INT, capacity);
        MemorySegment seqIdPointers = arena.allocate(ADDRESS, capacity);
        seqIds = arena.allocate(JAVA_INT, capacity);
        logits = arena.allocate(JAVA_BYTE, capacity);
        for (int i = 0; i < capacity; i++) {
            nSeqId.setAtIndex(JAVA_INT, i, 1);
            seqIdPointers.setAtIndex(ADDRESS, i, seqIds.asSlice(i * JAVA_INT.byteSize(), JAVA_INT.byteSize()));
        }
        struct.set(ADDRESS, LlamaLayouts.offset(LlamaLayouts.BATCH, "token"), token);
        struct.set(ADDRESS, LlamaLayouts.offset(LlamaLayouts.BATCH, "embd"), MemorySegment.NULL);
        struct.set(ADDRESS, LlamaLayouts.offset(LlamaLayouts.BATCH, "pos"), pos);
        struct.set(ADDRESS, LlamaLayouts.offset(LlamaLayouts.BATCH, "n_seq_id"), nSeqId);
        struct.set(ADDRESS, LlamaLayouts.offset(LlamaLayouts.BATCH, "seq_id"), seqIdPointers);
        struct.set(ADDRESS, LlamaLayouts.offset(LlamaLayouts.BATCH, "logits"), logits);
    }

    /** Adds a token of sequence {@code seq} at position {@code position}; returns its index in the batch. */
    int add(int tokenId, int position, int seq, boolean output) {
        if (size == capacity) {
            throw new IllegalStateException("the batch holds " + capacity + " tokens");
        }
        token.setAtIndex(JAVA_INT, size, tokenId);
        pos.setAtIndex(JAVA_INT, size, position);
        seqIds.setAtIndex(JAVA_INT, size, seq);
        logits.setAtIndex(JAVA_BYTE, size, output ? (byte) 1 : (byte) 0);
        return size++;
    }

    int size() {
        return size;
    }

    int capacity() {
        return capacity;
    }

    void clear() {
        size = 0;
    }

    /** The struct, with its token count set, to pass by value to {@code llama_decode}. */
    MemorySegment struct() {
        struct.set(JAVA_INT, 0, size);
        return struct;
    }
}
