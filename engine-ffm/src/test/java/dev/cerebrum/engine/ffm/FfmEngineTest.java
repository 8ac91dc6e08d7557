package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.spi.EngineProperties;
import dev.cerebrum.engine.EngineUnavailableException;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.engine.spi.InferenceEngineProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ffm engine's provider and its refusal to start without natives; no native code is loaded. */
class FfmEngineTest {

    @Test
    void serviceLoader_findsTheProvider_withThePinnedArchitectures() {
        InferenceEngineProvider provider = InferenceEngines.provider("ffm").orElseThrow();

        assertTrue(provider.supportsArchitecture("qwen3") && provider.supportsArchitecture("qwen3moe")
                && provider.supportsArchitecture("llama") && provider.supportsArchitecture("gpt-oss"));
        assertFalse(provider.supportsArchitecture("clip"));
        assertEquals(Architectures.supported(), provider.architectures());
        assertTrue(provider.version().matches("llama\\.cpp [0-9a-f]{8} \\(@node-llama-cpp 3\\.22\\.1\\)"),
                provider.version());
    }

    @Test
    void aFolderWithoutTheLibraries_makesTheEngineUnavailable_sayingHowToGetThem(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("no-natives"));

        EngineUnavailableException e = assertThrows(EngineUnavailableException.class, () -> InferenceEngines.create(
                "ffm", new EngineOptions(dir.resolve("run"), Map.of(EngineProperties.LLAMA_NATIVES, empty.toString()))));

        assertEquals("ffm", e.engine());
        assertFalse(e.getMessage().contains(dir.toString()), "no path in the message for clients: " + e.getMessage());
        assertTrue(e.getMessage().contains("3.22.1"), e.getMessage());
        assertTrue(e.remedy().contains(empty.toString()) && e.remedy().contains("fetch-natives.sh")
                && e.remedy().contains("npm"), e.remedy());
    }

    @Test
    void theDefaultFolder_isTheCacheTheFetchScriptFills() {
        Path folder = NativesPin.get().defaultFolder();
        assertTrue(folder.endsWith(Path.of("3.22.1", NativesPin.platform())), folder.toString());
    }
}
