package dev.cerebrum.guard;

import dev.cerebrum.engine.ModelSpec;

import java.util.Objects;

/**
 * One registered model.
 *
 * @param name              the name requests use
 * @param spec              what to load; null when the entry is broken
 * @param idleUnloadMinutes idle minutes before it is unloaded, 0 never
 * @param pinned            never evicted to make room
 * @param unavailableReason why it cannot be used, null when fine; never an absolute path
 */
public record ModelEntry(String name, ModelSpec spec, int idleUnloadMinutes, boolean pinned,
                         String unavailableReason) {
    public ModelEntry {
        Objects.requireNonNull(name, "name");
        if (spec == null && unavailableReason == null) {
            throw new IllegalArgumentException("an entry without a spec needs a reason");
        }
        if (idleUnloadMinutes < 0) {
            throw new IllegalArgumentException("idle unload minutes must not be negative");
        }
    }

    /** True when the entry can be loaded. */
    public boolean available() {
        return unavailableReason == null;
    }

    /** A copy marked unavailable. */
    public ModelEntry unavailable(String reason) {
        return new ModelEntry(name, spec, idleUnloadMinutes, pinned, Objects.requireNonNull(reason, "reason"));
    }
}
