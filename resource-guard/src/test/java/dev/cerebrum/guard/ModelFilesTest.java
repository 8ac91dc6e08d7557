package dev.cerebrum.guard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void check_tellsTheFileProblemsApart_namingTheFileOnly() throws IOException {
        Path file = dir.resolve("m.gguf");
        assertEquals(new ModelFiles.Fault(ModelEntry.Problem.FILE_MISSING, "model file 'm.gguf' not found"),
                ModelFiles.check(file).orElseThrow());
        Path folder = Files.createDirectory(dir.resolve("folder.gguf"));
        assertEquals(new ModelFiles.Fault(ModelEntry.Problem.NOT_A_FILE,
                "model file 'folder.gguf' is not a regular file"), ModelFiles.check(folder).orElseThrow());
        Files.writeString(file, "GGUF");
        assertTrue(ModelFiles.check(file).isEmpty());
    }

    @Test
    void stamp_changesWhenTheFileAppearsOrIsReplaced_andOnlyThen() throws IOException {
        Path file = dir.resolve("m.gguf");
        assertEquals(ModelFiles.Stamp.ABSENT, ModelFiles.stamp(file));
        Files.writeString(file, "GGUF");
        ModelFiles.Stamp present = ModelFiles.stamp(file);
        assertNotEquals(ModelFiles.Stamp.ABSENT, present);
        assertEquals(present, ModelFiles.stamp(file));
        Files.writeString(file, "GGUF and more");
        assertNotEquals(present, ModelFiles.stamp(file));
        Files.delete(file);
        assertEquals(ModelFiles.Stamp.ABSENT, ModelFiles.stamp(file));
    }
}
