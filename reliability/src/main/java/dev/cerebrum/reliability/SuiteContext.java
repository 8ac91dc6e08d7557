package dev.cerebrum.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a part runs with: the profile, a folder of its own for server working directories, and where to say what
 * it is doing.
 *
 * @param profile how much to run
 * @param root    the suite's scratch folder
 * @param out     progress lines
 */
record SuiteContext(Profile profile, Path root, PrintStream out) {

    /** A new, empty folder under the scratch folder. */
    Path folder(String name) {
        try {
            Files.createDirectories(root);
            return Files.createTempDirectory(root, name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A progress line, indented under the part's name. */
    void say(String format, Object... args) {
        out.printf("    " + format + "%n", args);
    }
}
