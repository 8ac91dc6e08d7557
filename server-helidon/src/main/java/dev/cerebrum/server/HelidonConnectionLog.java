package dev.cerebrum.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.LoggingEvent;

import java.util.List;

/**
 * Keeps Helidon's per-connection failure reports out of the log. Helidon logs a failed connection (a client
 * that sends a malformed line on a kept-alive connection, or resets it mid-request) at WARNING with a stack trace
 * of about 1.2 KB: any client could flood the log that way, without a key. Such records are counted by the
 * {@link ConnectionGuard} instead, which sums them up in one line at most every ten seconds, with the last one's
 * exception chain. Records without an exception, and everything below WARN, pass unchanged. A Logback turbo
 * filter: it sees each record before any appender, whichever API it was logged through.
 */
final class HelidonConnectionLog extends TurboFilter {
    /** Helidon's loggers that report failures of single connections. */
    static final List<String> LOGGERS = List.of("io.helidon.webserver.ConnectionHandler",
            "io.helidon.webserver.http1.Http1Connection");
    private static final int MAX_DESCRIPTION = 240;

    private final ConnectionGuard guard;

    private HelidonConnectionLog(ConnectionGuard guard) {
        this.guard = guard;
    }

    /** Routes the connection failures Helidon reports to {@code guard}, replacing an earlier guard. */
    static synchronized void install(ConnectionGuard guard) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getTurboFilterList().removeIf(f -> f instanceof HelidonConnectionLog);
            HelidonConnectionLog filter = new HelidonConnectionLog(guard);
            filter.setContext(context);
            filter.start();
            context.addTurboFilter(filter);
        }
    }

    /** Removes the filter when it still routes to {@code guard}. */
    static synchronized void uninstall(ConnectionGuard guard) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getTurboFilterList().removeIf(f -> f instanceof HelidonConnectionLog h && h.guard == guard);
        }
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (t == null || level == null || !level.isGreaterOrEqual(Level.WARN) || !LOGGERS.contains(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        guard.connectionError(describe(t));
        return FilterReply.DENY;
    }

    /** Records logged through SLF4J's fluent API, as System.Logger's are. */
    @Override
    public FilterReply decide(Logger logger, LoggingEvent event) {
        return decide(null, logger, Level.convertAnSLF4JLevel(event.getLevel()), event.getMessage(),
                event.getArgumentArray(), event.getThrowable());
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
