package dev.cerebrum.guard;

import java.time.Duration;

/**
 * What a preload did.
 *
 * @param model         the model
 * @param alreadyLoaded true when it was loaded before the call
 * @param loadTime      how long the load took (of the earlier load when already loaded)
 * @param estimateBytes the RAM estimate, -1 when unknown
 * @param rssBytes      the measured resident memory after the load, -1 when unknown
 */
public record LoadReport(String model, boolean alreadyLoaded, Duration loadTime, long estimateBytes, long rssBytes) {
}
