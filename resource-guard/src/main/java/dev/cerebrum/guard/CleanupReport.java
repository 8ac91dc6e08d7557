package dev.cerebrum.guard;

import java.util.List;

/**
 * What a cleanup did.
 *
 * @param removed   models unloaded
 * @param remaining models still loaded
 */
public record CleanupReport(List<String> removed, List<String> remaining) {
    public CleanupReport {
        removed = List.copyOf(removed);
        remaining = List.copyOf(remaining);
    }
}
