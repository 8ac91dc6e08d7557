package dev.cerebrum.gguf;

import dev.cerebrum.engine.InvalidModelException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The header, metadata and tensor infos of a GGUF file, as {@link GgufReader} read them.
 *
 * @param fileName   the file's name, without its directory (used in error messages)
 * @param version    the GGUF version
 * @param metadata   metadata in file order
 * @param tensors    tensor infos in file order
 * @param alignment  the data alignment
 * @param dataOffset the absolute offset where tensor data starts
 * @param fileSize   the file's size in bytes
 */
public record GgufFile(String fileName, int version, Map<String, GgufValue> metadata, List<TensorInfo> tensors,
                       int alignment, long dataOffset, long fileSize) {

    public GgufFile {
        Objects.requireNonNull(fileName, "fileName");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    /**
     * One tensor's description.
     *
     * @param name     tensor name
     * @param dims     ggml dims, fastest-varying first
     * @param type     ggml type
     * @param offset   offset relative to the data section
     * @param byteSize bytes of data
     */
    public record TensorInfo(String name, List<Long> dims, GgmlType type, long offset, long byteSize) {
        public TensorInfo {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            dims = List.copyOf(dims);
        }

        /** The number of values. */
        public long elementCount() {
            long n = 1;
            for (long d : dims) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    /** The metadata value of {@code key}, if present. */
    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** The tensor named {@code name}, if present. */
    public Optional<TensorInfo> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** {@code general.architecture}, for example {@code llama}. */
    public String architecture() {
        GgufValue v = require("general.architecture");
        if (v.type() != GgufValueType.STRING) {
            throw invalid("general.architecture is not a string");
        }
        return v.asString();
    }

    /** The context length the model was trained with. */
    public long contextLength() {
        return archInteger("context_length");
    }

    /** The embedding width. */
    public long embeddingLength() {
        return archInteger("embedding_length");
    }

    /** The number of transformer blocks. */
    public long blockCount() {
        return archInteger("block_count");
    }

    /** The feed-forward width. */
    public long feedForwardLength() {
        return archInteger("feed_forward_length");
    }

    /** The number of attention heads. */
    public long headCount() {
        return archInteger("attention.head_count");
    }

    /** The number of key/value heads; equal to the head count when the file does not say. */
    public long headCountKv() {
        String key = architecture() + ".attention.head_count_kv";
        return metadata.containsKey(key) ? positiveInteger(key) : headCount();
    }

    /** The vocabulary size: the token list, else {@code <arch>.vocab_size}, else the embedding matrix's rows. */
    public long vocabSize() {
        GgufValue tokens = metadata.get("tokenizer.ggml.tokens");
        if (tokens != null && tokens.type() == GgufValueType.ARRAY) {
            return tokens.asArray().size();
        }
        String key = architecture() + ".vocab_size";
        if (metadata.containsKey(key)) {
            return positiveInteger(key);
        }
        return tensor("token_embd.weight").filter(t -> t.dims().size() >= 2).map(t -> t.dims().get(1))
                .orElseThrow(() -> invalid("the vocabulary size is unknown"));
    }

    /**
     * The quantisation name: {@code general.file_type} as llama.cpp names it (for example {@code Q8_0},
     * {@code Q4_K_M}), else the type holding most tensor bytes.
     */
    public String fileType() {
        GgufValue v = metadata.get("general.file_type");
        if (v != null && v.type().isInteger()) {
            String name = FileTypes.name(v.asLong());
            if (name != null) {
                return name;
            }
        }
        Map<GgmlType, Long> bytes = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            bytes.merge(t.type(), t.byteSize(), Long::sum);
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(e -> e.getKey().name()).orElse("unknown");
    }

    /** The bytes of all tensor data. */
    public long tensorBytes() {
        long sum = 0;
        for (TensorInfo t : tensors) {
            sum += t.byteSize();
        }
        return sum;
    }

    long archInteger(String suffix) {
        return positiveInteger(architecture() + "." + suffix);
    }

    /** A positive integer, or for per-layer arrays the largest element. */
    long positiveInteger(String key) {
        GgufValue v = require(key);
        long n;
        if (v.type().isInteger()) {
            n = v.asLong();
        } else if (v.type() == GgufValueType.ARRAY && v.asArray().elementType().isInteger() && v.asArray().size() > 0) {
            n = v.asArray().elements().stream().mapToLong(e -> (Long) e).max().orElseThrow();
        } else {
            throw invalid(key + " is not an integer");
        }
        if (n < 1) {
            throw invalid(key + " must be positive, is " + n);
        }
        return n;
    }

    private GgufValue require(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            throw invalid("missing metadata " + key);
        }
        return v;
    }

    InvalidModelException invalid(String message) {
        return new InvalidModelException(fileName + ": " + message);
    }
}
