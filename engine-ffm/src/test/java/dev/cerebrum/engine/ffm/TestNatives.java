package dev.cerebrum.engine.ffm;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The pinned natives for integration tests: the folder the build linked (system property
 * {@code cerebrum.llama.natives}). Without it the tests are skipped with the reason, except under CI (the
 * {@code CI} variable is set), where they fail.
 */
final class TestNatives {

    private TestNatives() {
    }

    static Path folder() {
        String property = System.getProperty("cerebrum.llama.natives");
        Path folder = property == null ? null : Path.of(property);
        if (folder == null || !Files.isDirectory(folder)) {
            String why = "the llama.cpp natives are missing (" + folder + "): the build fetches them with"
                    + " engine-ffm/natives/fetch-natives.sh, which needs npm";
            if (System.getenv("CI") != null) {
                fail(why);
            }
            assumeTrue(false, why);
        }
        return folder;
    }

    static LlamaRuntime runtime() {
        return LlamaRuntime.load(folder());
    }
}
