package dev.cerebrum.guard;

import dev.cerebrum.engine.Generation;
import dev.cerebrum.engine.GenerationEvent;
import dev.cerebrum.engine.GenerationRequest;
import dev.cerebrum.engine.ModelSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Shared test pieces: a clock the test moves, a host probe the test sets, bounded waits. */
final class TestSupport {
    private TestSupport() {
    }

    /** Settings whose timers do not interfere unless a test shortens them. */
    static GuardSettings quietSettings() {
        return GuardSettings.defaults()
                .withMinFreeRamMb(0)
                .withMaxLoadedModels(8)
                .withQueueTimeout(Duration.ofSeconds(30))
                .withLoadTimeout(Duration.ofSeconds(30))
                .withCpuSampleInterval(Duration.ofHours(1))
                .withIdleCheckInterval(Duration.ofHours(1))
                .withRetryAfter(Duration.ofSeconds(7));
    }

    static ModelEntry entry(Path dir, String name, int parallel) {
        return entry(dir, name, parallel, 60, false);
    }

    /** An entry of the fake engine; its file is written, since the guard checks that a model file exists. */
    static ModelEntry entry(Path dir, String name, int parallel, int idleMinutes, boolean pinned) {
        Path file = dir.resolve(name + ".gguf");
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, "GGUF");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ModelEntry.Usable(name, ModelSpec.of(name, file, 64 * parallel, 1, parallel), idleMinutes, pinned);
    }

    static GenerationRequest request(String prompt) {
        return GenerationRequest.builder(prompt).maxTokens(8).greedy().build();
    }

    /** Polls until the final event, bounded. */
    static GenerationEvent.Finished finish(Generation g, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            GenerationEvent e = g.poll(Duration.ofMillis(50));
            if (e instanceof GenerationEvent.Finished f) {
                return f;
            }
        }
        return fail("no final event within " + within);
    }

    static void awaitTrue(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + within + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    /**
     * A host whose CPU the test sets and whose available RAM is a budget minus what is loaded. Unless the
     * test sets {@code other}, all of the CPU counts as other processes' load.
     */
    static final class TestHost implements HostProbe {
        volatile double cpu;
        volatile double other = Double.NaN;
        volatile double own;
        volatile HostLimits limits = HostLimits.host(2);
        volatile long budget = 64L * 1024 * 1024 * 1024;
        private final LongSupplier used;

        TestHost(LongSupplier used) {
            this.used = used;
        }

        @Override
        public HostSample sample() {
            return new HostSample(cpu, Double.isNaN(other) ? cpu : other, own, availableRamBytes(), budget, limits);
        }

        @Override
        public long availableRamBytes() {
            return Math.max(0, budget - used.getAsLong());
        }
    }

    /** A clock that moves only when told. */
    static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
