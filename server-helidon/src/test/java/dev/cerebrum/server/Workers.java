package dev.cerebrum.server;

import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Finds this JVM's model worker processes, and waits with a bound. */
final class Workers {
    private Workers() {
    }

    /** Live worker processes started by this JVM. */
    static List<ProcessHandle> all() {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains("WorkerMain")).orElse(false))
                .toList();
    }

    /** Waits until the condition holds, failing after {@code millis}; returns the time it took. */
    static long await(String what, long millis, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + millis + " ms waiting until " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
        return (System.nanoTime() - start) / 1_000_000L;
    }
}
