package dev.cerebrum.guard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/** Typed checks of a model file on disk, and a stamp that tells whether it changed. */
final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * What is wrong with a model file.
     *
     * @param problem what, typed
     * @param reason  the same in words, naming the file by its name only
     */
    record Fault(ModelEntry.Problem problem, String reason) {
    }

    /**
     * A file's identity and version as the file system shows it: any change of presence, size, modification
     * time or inode means it must be inspected again.
     *
     * @param exists       false when there is no file
     * @param size         bytes, -1 when absent
     * @param modifiedNanos modification time in nanoseconds since the epoch, -1 when absent
     * @param key          the file system's key (device and inode), null when absent or unknown
     */
    record Stamp(boolean exists, long size, long modifiedNanos, Object key) {
        static final Stamp ABSENT = new Stamp(false, -1, -1, null);
    }

    /** Empty when the file exists, is a regular file and is readable. */
    static Optional<Fault> check(Path path) {
        String file = ModelRegistry.fileName(path);
        if (!Files.exists(path)) {
            return Optional.of(new Fault(ModelEntry.Problem.FILE_MISSING, "model file '" + file + "' not found"));
        }
        if (!Files.isRegularFile(path)) {
            return Optional.of(new Fault(ModelEntry.Problem.NOT_A_FILE,
                    "model file '" + file + "' is not a regular file"));
        }
        if (!Files.isReadable(path)) {
            return Optional.of(new Fault(ModelEntry.Problem.FILE_UNREADABLE,
                    "model file '" + file + "' is not readable"));
        }
        return Optional.empty();
    }

    /** The file's stamp now; one {@code stat}. */
    static Stamp stamp(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return new Stamp(true, a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS),
                    a.fileKey());
        } catch (NoSuchFileException e) {
            return Stamp.ABSENT;
        } catch (IOException e) {
            // A file that cannot be read now counts as absent: it is looked at again once it can be.
            return Stamp.ABSENT;
        }
    }
}
