package dev.cerebrum.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server process the benchmark started, stopped when closed or when the benchmark is interrupted (Ctrl+C): the
 * server would outlive it otherwise. Stopping sends SIGTERM, as the launcher does, kills what is left after the
 * grace period, and then the processes it had started.
 */
final class StoppedChild implements AutoCloseable {
    private final Process process;
    private final Duration grace;
    private final Thread shutdownHook;

    StoppedChild(Process process, Duration grace, String name) {
        this.process = process;
        this.grace = grace;
        this.shutdownHook = new Thread(this::stop, name + "-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    Process process() {
        return process;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook stops it
        }
        stop();
    }

    private void stop() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
