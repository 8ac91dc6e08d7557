package dev.cerebrum.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How much CPU other processes took while the benchmark ran: the host's busy time (/proc/stat) minus that
 * of the benchmark's own process tree (its processes' own and reaped children's times), plus the time the
 * hypervisor stole. Other work on a 2-core machine disturbs every figure here, so the report shows it.
 */
final class CpuMeter {
    /** USER_HZ: the unit of /proc's CPU times on every Linux architecture the benchmark runs on. */
    private static final double TICKS_PER_SECOND = 100;

    private CpuMeter() {
    }

    /**
     * CPU time counters at one instant, in ticks.
     *
     * @param nanos     System.nanoTime()
     * @param hostBusy  all CPUs' non-idle time, steal excluded
     * @param steal     all CPUs' stolen time
     * @param own       the benchmark's process tree
     * @param valid     false where /proc could not be read
     */
    record Snapshot(long nanos, long hostBusy, long steal, long own, boolean valid) {
    }

    /**
     * CPU use between two snapshots, in cores (1.0 = one CPU busy all the time).
     *
     * @param otherCores the CPU other processes used
     * @param stealCores the CPU the hypervisor took
     */
    record Use(double otherCores, double stealCores) {
        static final Use UNKNOWN = new Use(Double.NaN, Double.NaN);
    }

    static Snapshot now() {
        long nanos = System.nanoTime();
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is inside user.
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]);
            long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
            ProcessHandle self = ProcessHandle.current();
            long own = Stream.concat(Stream.of(self), self.descendants()).mapToLong(CpuMeter::treeTicks).sum();
            return new Snapshot(nanos, busy, steal, own, true);
        } catch (IOException | RuntimeException e) {
            return new Snapshot(nanos, 0, 0, 0, false);
        }
    }

    static Use between(Snapshot a, Snapshot b) {
        double seconds = (b.nanos() - a.nanos()) / 1e9;
        // Ticks are 10 ms: below a second the figure would be mostly rounding.
        if (!a.valid() || !b.valid() || seconds < 1) {
            return Use.UNKNOWN;
        }
        double other = Math.max(0, (b.hostBusy() - a.hostBusy()) - (b.own() - a.own())) / TICKS_PER_SECOND / seconds;
        double steal = (b.steal() - a.steal()) / TICKS_PER_SECOND / seconds;
        return new Use(other, steal);
    }

    /** utime + stime + cutime + cstime of a live process: its own time and its reaped children's. */
    private static long treeTicks(ProcessHandle p) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split("\\s+");
            // After the command: state(3) ... utime(14) stime(15) cutime(16) cstime(17); f[0] is field 3.
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            // It exited between the listing and the read: its parent will count it once reaped.
            return 0;
        }
    }
}
