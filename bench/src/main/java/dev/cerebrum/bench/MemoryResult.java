package dev.cerebrum.bench;

import java.util.List;

/**
 * Memory figures.
 *
 * @param serverIdleRssBytes       the server process before any model was loaded
 * @param holders                  processes holding the model
 * @param serverRssAfterUnload     the server process after its last model was unloaded
 * @param workerExitedAfterUnload  the worker process was gone after the unload
 * @param hostAvailableBefore      MemAvailable before the concurrency model was loaded
 * @param hostAvailableLoaded      MemAvailable while it was loaded
 * @param hostAvailableAfterUnload MemAvailable after it was unloaded
 */
record MemoryResult(long serverIdleRssBytes, List<WorkerMemory> holders, long serverRssAfterUnload,
                    Boolean workerExitedAfterUnload, long hostAvailableBefore, long hostAvailableLoaded,
                    long hostAvailableAfterUnload) {

    MemoryResult {
        holders = List.copyOf(holders);
    }

    static final MemoryResult NONE = new MemoryResult(-1, List.of(), -1, null, -1, -1, -1);
}
