package dev.cerebrum.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A process's resident memory, open file descriptors and threads at one moment, read from Linux's /proc; -1
 * where they cannot be read.
 *
 * @param rssBytes    resident memory (VmRSS)
 * @param descriptors open file descriptors
 * @param threads     operating-system threads
 */
record ProcessSample(long rssBytes, int descriptors, int threads) {

    /** The figures of {@code pid} now. */
    static ProcessSample of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        long rss = -1;
        int threads = -1;
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone, or this is not Linux
        }
        int descriptors = -1;
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            descriptors = (int) fds.count();
        } catch (IOException | RuntimeException e) {
            // as above
        }
        return new ProcessSample(rss, descriptors, threads);
    }

    /** Resident memory in MB. */
    long rssMb() {
        return rssBytes < 0 ? -1 : rssBytes / (1024 * 1024);
    }
}
