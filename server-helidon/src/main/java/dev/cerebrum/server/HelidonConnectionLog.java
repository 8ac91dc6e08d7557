package dev.cerebrum.server;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps Helidon's per-connection failure reports out of the log. Helidon logs a failed connection (a client
 * that sends a malformed line on a kept-alive connection, or resets it mid-request) at WARNING with a stack trace
 * of about 1.2 KB: any client could flood the log that way, without a key. Such records are counted by the
 * {@link ConnectionGuard} instead, which sums them up in one line at most every ten seconds, with the last one's
 * exception chain. Records without an exception, and everything below WARNING, pass unchanged.
 */
final class HelidonConnectionLog implements Filter {
    /** Helidon's loggers that report failures of single connections. */
    static final List<String> LOGGERS = List.of("io.helidon.webserver.ConnectionHandler",
            "io.helidon.webserver.http1.Http1Connection");
    private static final int MAX_DESCRIPTION = 240;
    /** Loggers are only weakly held by java.util.logging: these keep the filtered ones, and their filter, alive. */
    private static final List<Logger> FILTERED = new ArrayList<>();

    private final ConnectionGuard guard;

    private HelidonConnectionLog(ConnectionGuard guard) {
        this.guard = guard;
    }

    /** Routes the connection failures Helidon reports to {@code guard}, replacing an earlier guard. */
    static synchronized void install(ConnectionGuard guard) {
        FILTERED.clear();
        for (String name : LOGGERS) {
            Logger logger = Logger.getLogger(name);
            logger.setFilter(new HelidonConnectionLog(guard));
            FILTERED.add(logger);
        }
    }

    /** Removes the filters when they still route to {@code guard}. */
    static synchronized void uninstall(ConnectionGuard guard) {
        for (Logger logger : FILTERED) {
            if (logger.getFilter() instanceof HelidonConnectionLog f && f.guard == guard) {
                logger.setFilter(null);
            }
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getThrown() == null || record.getLevel().intValue() < Level.WARNING.intValue()) {
            return true;
        }
        guard.connectionError(describe(record.getThrown()));
        return false;
    }

    /** The exception chain in one short line: class names and messages, without paths. */
    static String describe(Throwable thrown) {
        StringBuilder b = new StringBuilder();
        int depth = 0;
        for (Throwable t = thrown; t != null && depth < 4; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (depth > 0) {
                b.append(" <- ");
            }
            b.append(t.getClass().getSimpleName());
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                b.append(": ").append(Errors.safe(t.getMessage()));
            }
        }
        return b.length() > MAX_DESCRIPTION ? b.substring(0, MAX_DESCRIPTION) + "…" : b.toString();
    }
}
