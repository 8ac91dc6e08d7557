package dev.cerebrum.bench;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How to start another JVM like this one. */
final class Jvm {
    private Jvm() {
    }

    /** The java binary running this JVM. */
    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** This JVM's class path with absolute entries, so a child may run in another working directory. */
    static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isBlank())
                .map(s -> s.endsWith("*") ? Path.of(s.substring(0, s.length() - 1)).toAbsolutePath() + File.separator + "*"
                        : Path.of(s).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** Waits for a process at most {@code seconds}; kills it (and its children) when it takes longer. */
    static boolean waitOrKill(Process process, long seconds) throws InterruptedException {
        if (process.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
            return true;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        return false;
    }
}
