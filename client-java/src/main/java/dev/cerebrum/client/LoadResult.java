package dev.cerebrum.client;

/**
 * The answer of {@code POST /v1/load/{model}}.
 *
 * @param status              {@code "loaded"}
 * @param model               model name
 * @param alreadyLoaded       true when it was loaded before the call
 * @param loadTimeSeconds     how long the load took
 * @param memoryEstimateBytes estimated memory, or -1
 * @param rssBytes            worker resident memory, or -1
 */
public record LoadResult(String status, String model, boolean alreadyLoaded, double loadTimeSeconds,
                         long memoryEstimateBytes, long rssBytes) {
}
