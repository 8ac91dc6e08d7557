package dev.cerebrum.engine.worker;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Kills workers that stop answering pings or stop making progress (see {@link WatchdogSettings}).
 * One per engine: a checker thread that only reads clocks and kills, so it can never be blocked by
 * a frozen worker, and one pinger thread per model, which may be.
 */
final class Watchdog implements AutoCloseable {
    private final WatchdogSettings settings;
    private final Supplier<Collection<WorkerModel>> models;
    private final ScheduledExecutorService checker;
    private long lastCheckNanos = System.nanoTime();

    /** What the watchdog knows of one worker at a check. */
    record Observation(long lastPongNanos, long lastProgressNanos, boolean busy, long promptTokensInProcess) {
    }

    /** The outcome of a check. */
    enum Verdict {
        /** Nothing to do. */
        HEALTHY,
        /** No pong for longer than the ping interval and timeout. */
        UNRESPONSIVE,
        /** Busy without progress for longer than the stall bound. */
        STALLED
    }

    Watchdog(WatchdogSettings settings, Supplier<Collection<WorkerModel>> models) {
        this.settings = settings;
        this.models = models;
        if (!settings.pings() && !settings.checksProgress()) {
            this.checker = null;
            return;
        }
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "cerebrum-worker-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        long tick = settings.pings() ? settings.pingInterval().toMillis() : 1000;
        checker.scheduleWithFixedDelay(this::checkAll, tick, Math.max(1, tick), TimeUnit.MILLISECONDS);
    }

    /** Pings the model until it fails or closes; does nothing when pings are off. */
    void watch(WorkerModel model, String name) {
        if (!settings.pings()) {
            return;
        }
        Thread pinger = new Thread(() -> {
            long interval = settings.pingInterval().toMillis();
            while (model.watched()) {
                model.ping();
                try {
                    Thread.sleep(Math.max(1, interval));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "cerebrum-worker-" + name + "-pinger");
        pinger.setDaemon(true);
        pinger.start();
    }

    private void checkAll() {
        long now = System.nanoTime();
        // A check far later than scheduled means this process was not running (suspended, stopped):
        // the workers could not be heard, so their silence proves nothing. Start the clocks again.
        boolean engineWasAway = now - lastCheckNanos > settings.unresponsiveAfter().toNanos()
                && now - lastCheckNanos > 2 * tickNanos();
        lastCheckNanos = now;
        for (WorkerModel model : models.get()) {
            if (!model.watched()) {
                continue;
            }
            if (engineWasAway) {
                model.forgive(now);
                continue;
            }
            Observation observation = model.observe();
            switch (check(now, observation, settings)) {
                case HEALTHY -> {
                }
                case UNRESPONSIVE -> {
                    long silent = now - observation.lastPongNanos();
                    model.kill("answered no ping for " + seconds(silent),
                            "model worker for '" + model.spec().name() + "' stopped responding and was killed;"
                                    + " the next request loads the model again");
                }
                case STALLED -> {
                    long silent = now - observation.lastProgressNanos();
                    model.kill("made no progress for " + seconds(silent),
                            "model worker for '" + model.spec().name() + "' made no progress for "
                                    + seconds(silent) + " and was killed; the next request loads the model again");
                }
            }
        }
    }

    private long tickNanos() {
        return settings.pings() ? settings.pingInterval().toNanos() : TimeUnit.SECONDS.toNanos(1);
    }

    /** The verdict on one worker; a pure function of the clocks, so tests can drive it from a table. */
    static Verdict check(long now, Observation observation, WatchdogSettings settings) {
        if (settings.pings() && now - observation.lastPongNanos() > settings.unresponsiveAfter().toNanos()) {
            return Verdict.UNRESPONSIVE;
        }
        if (settings.checksProgress() && observation.busy()
                && now - observation.lastProgressNanos() > stallBound(observation, settings).toNanos()) {
            return Verdict.STALLED;
        }
        return Verdict.HEALTHY;
    }

    /** How long a busy worker may go without output, given the prompt tokens it is processing. */
    static Duration stallBound(Observation observation, WatchdogSettings settings) {
        return settings.stallTimeout().plus(settings.stallPerPromptToken().multipliedBy(observation.promptTokensInProcess()));
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    @Override
    public void close() {
        if (checker != null) {
            checker.shutdownNow();
        }
    }
}
