package dev.cerebrum.guard;

import java.time.Duration;
import java.util.Locale;

/** The reasons of the guard's refusals, with the figures that refused, as a client sees them. */
final class GuardReasons {
    private static final long MB = 1024L * 1024L;

    private GuardReasons() {
    }

    /** The CPU rule refused: other processes' share, the window and the limit. */
    static String cpu(HostSample s, double maxCpuPercent, Duration window) {
        HostLimits l = s.limits();
        String of = l.cpu() == LimitSource.CGROUP
                ? "cgroup quota " + number(l.cpuAllowedCores()) + " of " + l.hostCores() + " host cores"
                : l.hostCores() + " host cores, no quota";
        return String.format(Locale.ROOT,
                "other processes use %.1f%% of the CPU available to the backend (%s s average; %s),"
                        + " above the limit of %s%%",
                s.otherCpuPercent(), number(window.toMillis() / 1000.0), of, number(maxCpuPercent));
    }

    /** Less RAM is available than the floor. */
    static String floor(HostSample s, long floorMb) {
        return String.format(Locale.ROOT, "available RAM is %d MB%s, under the floor of %d MB",
                s.availableRamBytes() / MB, cgroup(s.limits()), floorMb);
    }

    /** A load would leave less than the floor: the model's estimate, what is available, and the floor. */
    static String memory(String model, long needBytes, long availableBytes, long floorBytes, boolean noneToUnload,
                         HostLimits limits) {
        return String.format(Locale.ROOT,
                "model '%s' needs about %d MB but %d MB of RAM are available%s and %d MB must stay free%s",
                model, (needBytes + MB - 1) / MB, availableBytes / MB, cgroup(limits), floorBytes / MB,
                noneToUnload ? "; no idle model can be unloaded to make room" : "");
    }

    private static String cgroup(HostLimits l) {
        return l.memory() == LimitSource.CGROUP
                ? String.format(Locale.ROOT, " (cgroup memory limit %d MB, %d MB in use)", l.memoryLimitBytes() / MB,
                        Math.max(0, l.memoryInUseBytes()) / MB)
                : "";
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v)
                .replaceAll("0+$", "");
    }
}
