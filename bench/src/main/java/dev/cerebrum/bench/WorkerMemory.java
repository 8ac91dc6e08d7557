package dev.cerebrum.bench;

/**
 * The memory of one process holding the model, next to the file size and the engine's estimate.
 *
 * @param label         which process (for example {@code http worker, 4 slots})
 * @param contextSize   total context
 * @param slots         parallel slots
 * @param rssBytes      VmRSS from /proc, -1 when unknown
 * @param rssAnonBytes  RssAnon (heap, KV cache, compute buffers)
 * @param rssFileBytes  RssFile (the memory-mapped weights and code)
 * @param reportedBytes what the backend itself reports ({@code rss_bytes}), -1 when not asked
 * @param estimateBytes the engine's estimate for this context and slots
 * @param fileBytes     the model file size
 */
record WorkerMemory(String label, int contextSize, int slots, long rssBytes, long rssAnonBytes, long rssFileBytes,
                    long reportedBytes, long estimateBytes, long fileBytes) {
}
