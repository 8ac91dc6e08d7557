package dev.cerebrum.gguf;

import dev.cerebrum.engine.MemoryEstimate;
import dev.cerebrum.engine.ModelInfo;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Describes a GGUF model file and the RAM it needs, without loading it. */
public final class GgufInspector {

    private static final int INLINE_ARRAY = 8;
    private static final int MAX_SHOWN_STRING = 120;

    private GgufInspector() {
    }

    /**
     * What the file says about itself and the RAM b4916 needs for {@code contextSize} tokens in {@code parallel}
     * slots.
     */
    public static ModelInfo inspect(Path file, int contextSize, int parallel) {
        return inspect(file, contextSize, parallel, MemoryEstimator.LlamaBuild.B4916);
    }

    /** What the file says about itself and the RAM {@code build} needs for the context and slots. */
    public static ModelInfo inspect(Path file, int contextSize, int parallel, MemoryEstimator.LlamaBuild build) {
        return info(GgufReader.read(file), contextSize, parallel, build);
    }

    static ModelInfo info(GgufFile gguf, int contextSize, int parallel, MemoryEstimator.LlamaBuild build) {
        return new ModelInfo(gguf.architecture(), gguf.contextLength(), gguf.embeddingLength(), gguf.blockCount(),
                gguf.headCount(), gguf.headCountKv(), gguf.vocabSize(), gguf.fileType(), gguf.fileSize(),
                MemoryEstimator.estimate(gguf, contextSize, parallel, MemoryEstimator.DEFAULT_UBATCH, build));
    }

    /** The report of {@link #describe(Path, int, int, MemoryEstimator.LlamaBuild)} with b4916's estimate. */
    public static String describe(Path file, int contextSize, int parallel) {
        return describe(file, contextSize, parallel, MemoryEstimator.LlamaBuild.B4916);
    }

    /**
     * A human-readable report: the model's hyper-parameters, its metadata (large arrays summarised) and the
     * estimate of {@code build}.
     */
    public static String describe(Path file, int contextSize, int parallel, MemoryEstimator.LlamaBuild build) {
        GgufFile gguf = GgufReader.read(file);
        ModelInfo info = info(gguf, contextSize, parallel, build);
        StringBuilder b = new StringBuilder();
        line(b, "file", gguf.fileName() + " (" + mib(gguf.fileSize()) + ", GGUF v" + gguf.version() + ")");
        line(b, "architecture", info.architecture());
        line(b, "file type", info.fileType());
        line(b, "trained context", Long.toString(info.trainedContext()));
        line(b, "embedding", Long.toString(info.embeddingSize()));
        line(b, "blocks", Long.toString(info.layerCount()));
        line(b, "heads", info.headCount() + " (" + info.headCountKv() + " KV)");
        line(b, "vocabulary", Long.toString(info.vocabSize()));
        line(b, "tensors", gguf.tensors().size() + " (" + mib(gguf.tensorBytes()) + ")");
        MemoryEstimate e = info.estimate();
        b.append("\nestimated RAM for context ").append(contextSize == 0 ? info.trainedContext() : contextSize)
                .append(", ").append(parallel).append(parallel == 1 ? " slot" : " slots").append(" (llama.cpp ")
                .append(build == MemoryEstimator.LlamaBuild.B4916 ? "b4916" : "of the ffm engine").append("):\n");
        long repacked = e.weightsBytes() - gguf.tensorBytes();
        line(b, "  weights", mib(e.weightsBytes()) + (repacked > 0 ? " (incl. " + mib(repacked) + " repacked copy)" : ""));
        line(b, "  KV cache", mib(e.kvCacheBytes()));
        line(b, "  compute", mib(e.computeBytes()) + " (incl. " + mib(MemoryEstimator.RUNTIME_OVERHEAD_BYTES) + " runtime)");
        line(b, "  total", mib(e.totalBytes()));
        b.append("\nmetadata (").append(gguf.metadata().size()).append(" entries):\n");
        for (Map.Entry<String, GgufValue> m : gguf.metadata().entrySet()) {
            b.append("  ").append(m.getKey()).append(" = ").append(render(m.getValue().type(), m.getValue().value())).append('\n');
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(String.format(Locale.ROOT, "%-16s %s%n", label + ":", value));
    }

    private static String render(GgufValueType type, Object value) {
        if (value instanceof GgufArray a) {
            if (a.size() > INLINE_ARRAY) {
                return "[" + a.elementType() + " x " + a.size() + "]";
            }
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < a.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(render(a.elementType(), a.elements().get(i)));
            }
            return b.append(']').toString();
        }
        if (value instanceof String s) {
            String shown = s.length() > MAX_SHOWN_STRING ? s.substring(0, MAX_SHOWN_STRING) + "... (" + s.length() + " chars)" : s;
            return '"' + shown.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"';
        }
        if (type == GgufValueType.UINT64) {
            return Long.toUnsignedString((Long) value);
        }
        return String.valueOf(value);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
    }
}
