package dev.cerebrum.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /v1/stats}.
 *
 * @param system   host figures
 * @param models   model counters
 * @param queues   queue figures by model
 * @param refusals refusals by reason ({@code cpu}, {@code memory}, {@code queue_full}, {@code max_models})
 * @param tokens   token totals
 */
public record Stats(Host system, Models models, Map<String, Queue> queues, Map<String, Long> refusals,
                    Tokens tokens) {

    public Stats {
        queues = Map.copyOf(queues);
        refusals = Map.copyOf(refusals);
    }

    /**
     * Host figures.
     *
     * @param cpuUsagePercent host CPU use
     * @param ramAvailableGb  available RAM in GB
     * @param ramUsedGb       used RAM in GB
     * @param uptimeSeconds   server uptime
     */
    public record Host(double cpuUsagePercent, double ramAvailableGb, double ramUsedGb, double uptimeSeconds) {
    }

    /**
     * Model counters.
     *
     * @param cached          loaded models
     * @param count           how many are loaded
     * @param inferenceCounts finished generations by model
     * @param lastUsed        last use by model
     */
    public record Models(List<String> cached, int count, Map<String, Long> inferenceCounts,
                         Map<String, Instant> lastUsed) {

        public Models {
            cached = List.copyOf(cached);
            inferenceCounts = Map.copyOf(inferenceCounts);
            lastUsed = Map.copyOf(lastUsed);
        }
    }

    /**
     * One model's queue.
     *
     * @param queued     waiting for a slot
     * @param inFlight   admitted and not finished
     * @param slotsBusy  slots generating now
     * @param slotsTotal slots
     */
    public record Queue(int queued, int inFlight, int slotsBusy, int slotsTotal) {
    }

    /**
     * Token totals since start.
     *
     * @param prompt     prompt tokens processed
     * @param completion completion tokens generated
     */
    public record Tokens(long prompt, long completion) {
    }
}
