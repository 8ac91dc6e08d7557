package dev.cerebrum.server.logging;

import java.util.logging.LogManager;

/**
 * A {@link LogManager} that ignores the reset java.util.logging performs from its own shutdown hook, so the
 * lines the server logs while it stops gracefully (after SIGTERM) still reach {@code backend.log}. Installed by
 * {@code Main} through the {@code java.util.logging.manager} system property; not part of the API.
 */
public final class ShutdownLogManager extends LogManager {
    private static final String CLEANER = LogManager.class.getName() + "$Cleaner";

    /** Called by java.util.logging, which finds the class by name. */
    public ShutdownLogManager() {
    }

    @Override
    public void reset() {
        // Every handler flushes per record, so skipping the exit-time reset loses nothing.
        if (Thread.currentThread().getClass().getName().equals(CLEANER)) {
            return;
        }
        super.reset();
    }
}
