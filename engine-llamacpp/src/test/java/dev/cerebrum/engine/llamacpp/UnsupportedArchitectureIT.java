package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.InferenceEngine;
import dev.cerebrum.engine.InferenceEngines;
import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.ModelSpec;
import dev.cerebrum.engine.UnsupportedArchitectureException;
import dev.cerebrum.engine.spi.EngineOptions;
import dev.cerebrum.gguf.ModelShape.Architecture;
import dev.cerebrum.gguf.testing.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A model of an architecture b4916 does not know (qwen3, qwen3moe) is refused by the java-llama.cpp engine
 * before any worker starts, with a message that names the architecture and the engine that can load it.
 */
class UnsupportedArchitectureIT {

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN3", "QWEN3MOE"})
    void aNewArchitecture_isRefusedBeforeAnyWorkerStarts_namingTheFfmEngine(Architecture architecture,
                                                                           @TempDir Path workDir) {
        try (InferenceEngine engine = InferenceEngines.create("llamacpp", EngineOptions.of(workDir))) {
            ModelSpec spec = ModelSpec.of("coder", TestModels.successor(architecture), 1024, 1, 1);

            InvalidModelException e = assertThrows(InvalidModelException.class, () -> engine.load(spec));

            UnsupportedArchitectureException refusal = (UnsupportedArchitectureException) e;
            assertEquals(architecture.ggufName(), refusal.architecture());
            assertEquals(List.of("ffm", "ffm-inprocess"), refusal.supportingEngines());
            assertEquals("model 'coder': the llamacpp engine (llama.cpp b4916 (de.kherud:llama 4.2.0)) cannot load the"
                    + " model architecture '" + architecture.ggufName() + "'; the ffm or ffm-inprocess engine can"
                    + " (engine: ffm in the model's registry entry)", e.getMessage());
            assertFalse(Files.exists(workDir.resolve("workers")), "no worker was started");
            assertFalse(engine.supportsArchitecture(architecture.ggufName()));
        }
    }
}
