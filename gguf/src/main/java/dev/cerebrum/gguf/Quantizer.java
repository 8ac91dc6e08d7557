package dev.cerebrum.gguf;

import java.nio.ByteBuffer;

/** ggml's reference quantisation (quantize_row_q8_0_ref, quantize_row_q4_0_ref), block by block. */
final class Quantizer {
    private Quantizer() {
    }

    static void q8_0(float[] x, int n, ByteBuffer dst) {
        for (int b = 0; b < n; b += 32) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(x[b + i]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            dst.putShort(Float.floatToFloat16(d));
            for (int i = 0; i < 32; i++) {
                dst.put((byte) roundAway(x[b + i] * id));
            }
        }
    }

    static void q4_0(float[] x, int n, ByteBuffer dst) {
        for (int b = 0; b < n; b += 32) {
            float amax = 0;
            float max = 0;
            for (int i = 0; i < 32; i++) {
                float v = x[b + i];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            dst.putShort(Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) (x[b + j] * id + 8.5f));
                int hi = Math.min(15, (int) (x[b + 16 + j] * id + 8.5f));
                dst.put((byte) (lo | (hi << 4)));
            }
        }
    }

    /** C's roundf: halves away from zero. */
    private static int roundAway(float v) {
        return (int) (v < 0 ? -Math.floor(-v + 0.5f) : Math.floor(v + 0.5f));
    }
}
