package dev.cerebrum.client;

import java.util.List;

/**
 * The answer of {@code GET /health}.
 *
 * @param status            {@code "healthy"} or {@code "overloaded"}
 * @param available         false when the server would refuse new work now
 * @param cpuUsagePercent   host CPU use
 * @param ramAvailableGb    available RAM in GB
 * @param ramUsedGb         used RAM in GB
 * @param modelsInCache     loaded models
 * @param uptimeSeconds     server uptime
 */
public record Health(String status, boolean available, double cpuUsagePercent, double ramAvailableGb,
                     double ramUsedGb, List<String> modelsInCache, double uptimeSeconds) {

    public Health {
        modelsInCache = List.copyOf(modelsInCache);
    }

    /** True when the server reports {@code "healthy"}. */
    public boolean healthy() {
        return "healthy".equals(status);
    }
}
