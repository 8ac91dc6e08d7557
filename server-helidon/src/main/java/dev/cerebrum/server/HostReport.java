package dev.cerebrum.server;

import dev.cerebrum.guard.HostLimits;
import dev.cerebrum.guard.HostSample;
import dev.cerebrum.guard.LimitSource;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The host figures that {@code /health} and {@code /v1/stats} add beside the original's. */
final class HostReport {
    private HostReport() {
    }

    /**
     * Adds {@code other_cpu_percent} (what the CPU rule judges), {@code own_cpu_percent}, {@code
     * cpu_window_seconds} and {@code limits} (which limits the figures are relative to).
     */
    static void addCpuSplitAndLimits(Map<String, Object> body, HostSample host, Duration window) {
        body.put("other_cpu_percent", Json.round(host.otherCpuPercent(), 1));
        body.put("own_cpu_percent", Json.round(host.ownCpuPercent(), 1));
        body.put("cpu_window_seconds", Json.round(window.toMillis() / 1000.0, 1));
        body.put("limits", limits(host.limits()));
    }

    private static Map<String, Object> limits(HostLimits l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", l.cpu().wireName());
        m.put("cpu_allowed_cores", Json.round(l.cpuAllowedCores(), 2));
        m.put("host_cores", l.hostCores());
        m.put("memory", l.memory().wireName());
        boolean cgroup = l.memory() == LimitSource.CGROUP;
        m.put("memory_limit_bytes", cgroup ? l.memoryLimitBytes() : null);
        m.put("memory_in_use_bytes", cgroup ? l.memoryInUseBytes() : null);
        return m;
    }
}
