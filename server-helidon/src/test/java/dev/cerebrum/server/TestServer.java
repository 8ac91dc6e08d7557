package dev.cerebrum.server;

import dev.cerebrum.gguf.testing.TestModels;
import dev.cerebrum.guard.HostProbe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real server for integration tests: its own working files under a temporary folder, a random port, and
 * a registry of the generated successor model under several names.
 */
final class TestServer implements AutoCloseable {
    static final String KEY = "it-key-0123456789";
    static final String OTHER_KEY = "it-rotated-key-9876543210";

    /**
     * demo: 2 slots of 256 tokens; long: the same weights claiming a trained context of 32768, so that one slot
     * of 65536 tokens holds a generation (ignoring end of sequence) that keeps the slot busy for many seconds.
     */
    static final String REGISTRY = """
            models:
              demo:
                path: %1$s
                ctx_size: 512
                parallel: 2
              long:
                path: %2$s
                ctx_size: 65536
                parallel: 1
              qwen_7b:
                path: %1$s
                ctx_size: 512
                parallel: 1
              codellama_7b:
                path: %1$s
                ctx_size: 512
                parallel: 1
              broken:
                path: no-such-model.gguf
            """;

    /** A generation on {@code long} that keeps its one slot busy for many seconds: 60000 tokens, end of sequence ignored. */
    static final String LONG_BODY = "{\"prompt\": \"a\", \"model\": \"long\", \"max_tokens\": 60000,"
            + " \"temperature\": 0, \"ignore_eos\": true}";

    /** A POST of a JSON body with the test key, as the raw HTTP/1.1 text a socket-level test writes itself. */
    static String rawPost(String path, String json) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    final Path dir;
    final CerebrumServer server;
    final URI base;

    private TestServer(Path dir, CerebrumServer server) {
        this.dir = dir;
        this.server = server;
        this.base = URI.create("http://127.0.0.1:" + server.port());
    }

    /** The defaults every test server shares: CPU and RAM rules that a busy build machine cannot trip. */
    static Map<String, String> baseSettings(Path dir) {
        Map<String, String> s = new HashMap<>();
        s.put("CEREBRUM_ENV_FILE", "");
        s.put("CEREBRUM_API_KEY", KEY + "," + OTHER_KEY);
        s.put("CEREBRUM_VPS_PORT", "0");
        s.put("VPS_BIND_IP", "127.0.0.1");
        s.put("MAX_CPU_PERCENT", "100");
        s.put("CEREBRUM_MIN_FREE_RAM_MB", "0");
        s.put("CEREBRUM_MAX_LOADED_MODELS", "3");
        s.put("CEREBRUM_MODELS_FILE", dir.resolve("models/models.yaml").toString());
        s.put("CEREBRUM_MODELS_DIR", dir.resolve("models").toString());
        s.put("CEREBRUM_LOG_DIR", dir.resolve("logs").toString());
        s.put("CEREBRUM_RUN_DIR", dir.resolve("run").toString());
        s.put("CEREBRUM_SHUTDOWN_GRACE_SECONDS", "2");
        s.put("CEREBRUM_MAX_TOKENS_LIMIT", "100000");
        return s;
    }

    /** A server with the test registry and the given settings over {@link #baseSettings(Path)}. */
    static TestServer start(Path dir, Map<String, String> settings) {
        return start(dir, settings, null);
    }

    static TestServer start(Path dir, Map<String, String> settings, HostProbe probe) {
        writeRegistry(dir);
        Map<String, String> all = baseSettings(dir);
        all.putAll(settings);
        return new TestServer(dir, CerebrumServer.start(all, probe));
    }

    /** A server with its own registry ({@code models.yaml} in {@code dir/models}) and settings over the base. */
    static TestServer startWithRegistry(Path dir, String registry, Map<String, String> settings) {
        try {
            Files.createDirectories(dir.resolve("models"));
            Files.writeString(dir.resolve("models/models.yaml"), registry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> all = baseSettings(dir);
        all.putAll(settings);
        return new TestServer(dir, CerebrumServer.start(all, null));
    }

    static void writeRegistry(Path dir) {
        try {
            Files.createDirectories(dir.resolve("models"));
            Path longContext = dir.resolve("models/long-context.gguf");
            Files.write(longContext, withTrainedContext(Files.readAllBytes(TestModels.successor()), 32768));
            Files.writeString(dir.resolve("models/models.yaml"),
                    REGISTRY.formatted(TestModels.successor().toAbsolutePath(), longContext.toAbsolutePath()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The GGUF file with its {@code llama.context_length} value replaced; every offset stays the same. */
    static byte[] withTrainedContext(byte[] gguf, int context) {
        byte[] key = "llama.context_length".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + key.length + 8 <= gguf.length; i++) {
            for (int k = 0; k < key.length; k++) {
                if (gguf[i + k] != key[k]) {
                    continue outer;
                }
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(gguf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int typeAt = i + key.length;
            int type = b.getInt(typeAt);
            switch (type) {
                case 4, 5 -> b.putInt(typeAt + 4, context);
                case 10, 11 -> b.putLong(typeAt + 4, context);
                default -> throw new IllegalStateException("unexpected GGUF type " + type + " of the context length");
            }
            return gguf;
        }
        throw new IllegalStateException("no llama.context_length in the test model");
    }

    Http http() {
        return new Http(base);
    }

    @Override
    public void close() {
        server.close();
    }
}
