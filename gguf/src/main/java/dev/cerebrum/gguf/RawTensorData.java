package dev.cerebrum.gguf;

import java.nio.ByteBuffer;

/** Produces a tensor's encoded bytes directly, for generators that skip float encoding. */
@FunctionalInterface
interface RawTensorData {

    /** Fills {@code dst} up to its limit with the encoded bytes from {@code byteOffset}, a multiple of the block size. */
    void fill(long byteOffset, ByteBuffer dst);
}
