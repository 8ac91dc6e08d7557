package dev.cerebrum.engine.worker.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Signals to processes, and waiting with a bound, for the worker tests. */
public final class Processes {
    private Processes() {
    }

    /** Sends a signal by name ("STOP", "KILL") with the kill command, and checks it was delivered. */
    public static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + signal + " " + pid + " failed");
        }
    }

    /** Waits until the process is gone, failing after the timeout. */
    public static void awaitGone(long pid, Duration timeout) throws InterruptedException {
        awaitTrue(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), timeout);
    }

    /** Waits until the condition holds, failing after the timeout. */
    public static void awaitTrue(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
