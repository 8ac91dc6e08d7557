package dev.cerebrum.guard;

import java.util.Locale;

/** Where a model is in its life. */
public enum ModelState {
    /** Not in memory. */
    UNLOADED,
    /** Being loaded. */
    LOADING,
    /** Loaded and serving. */
    READY,
    /** Being unloaded. */
    UNLOADING,
    /** The last load failed; the next request tries again. */
    FAILED;

    /** The lower-case name used on the wire. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
