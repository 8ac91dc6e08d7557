package dev.cerebrum.gguf;

import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.ModelInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufInspectorTest {

    @TempDir
    Path dir;

    @Test
    void inspect_reportsTheModelsShapeAndEstimate() throws IOException {
        // given the successor model
        Path file = dir.resolve("successor.gguf");
        SuccessorModel.write(file);

        // when inspected for a 1024-token context in 2 slots
        ModelInfo info = GgufInspector.inspect(file, 1024, 2);

        // then it reports what the model was built with
        ModelShape shape = SuccessorModel.shape();
        assertEquals("llama", info.architecture());
        assertEquals(shape.contextLength(), info.trainedContext());
        assertEquals(shape.embeddingLength(), info.embeddingSize());
        assertEquals(shape.blockCount(), info.layerCount());
        assertEquals(shape.headCount(), info.headCount());
        assertEquals(shape.headCountKv(), info.headCountKv());
        assertEquals(shape.vocabSize(), info.vocabSize());
        assertEquals("F32", info.fileType());
        assertEquals(Files.size(file), info.fileBytes());
        assertEquals(MemoryEstimator.estimate(GgufReader.read(file), 1024, 2), info.estimate());
    }

    @Test
    void inspect_namesTheQuantisationOfAQ8Model() {
        Path file = dir.resolve("q8.gguf");
        RandomModel.write(file, new ModelShape(1, 64, 64, 2, 1, 300, 128), GgmlType.Q8_0, 1);
        assertEquals("Q8_0", GgufInspector.inspect(file, 128, 1).fileType());
    }

    @Test
    void missingFile_isRejectedByNameOnly() {
        InvalidModelException e = assertThrows(InvalidModelException.class,
                () -> GgufInspector.inspect(dir.resolve("absent.gguf"), 512, 1));
        assertEquals("model file not found: absent.gguf", e.getMessage());
    }

    @Test
    void fileThatIsNotGguf_isRejectedByNameOnly() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "hello, I am not a model at all");
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> GgufInspector.describe(file, 512, 1));
        assertEquals("notes.txt: not a GGUF file (bad magic)", e.getMessage());
    }

    @Test
    void ggufWithoutArchitecture_isRejected() {
        Path file = dir.resolve("bare.gguf");
        new GgufWriter().put("general.name", GgufValue.string("bare")).write(file);
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> GgufInspector.inspect(file, 512, 1));
        assertEquals("bare.gguf: missing metadata general.architecture", e.getMessage());
    }

    @Test
    void describe_summarisesLargeArraysAndShowsTheEstimate() {
        Path file = dir.resolve("successor.gguf");
        SuccessorModel.write(file);

        String text = GgufInspector.describe(file, 512, 1);

        assertTrue(text.contains("tokenizer.ggml.tokens = [STRING x 286]"), text);
        assertTrue(text.contains("general.architecture = \"llama\""), text);
        assertTrue(text.contains("llama.block_count = 1"), text);
        assertTrue(text.matches("(?s).*estimated RAM for context 512, 1 slot \\(llama.cpp b4916\\):.*total: +[0-9.]+ MiB.*"), text);
        assertFalse(text.contains(dir.toString()), "no absolute path");
    }
}
