package dev.cerebrum.engine.worker.testing;

import java.text.MessageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every record logged under "cerebrum", DEBUG included, while open: the engines log through
 * System.Logger, which goes to java.util.logging in the tests. Levels are System.Logger's.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger root = Logger.getLogger("cerebrum");
    private final Level previous;
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture() {
        previous = root.getLevel();
        root.setLevel(Level.ALL);
        root.addHandler(handler);
    }

    /** Starts capturing. */
    public static LogCapture start() {
        return new LogCapture();
    }

    /** Records at exactly this level whose text contains the fragment. */
    public long count(System.Logger.Level level, String fragment) {
        Level julLevel = switch (level) {
            case ALL, TRACE -> Level.FINER;
            case DEBUG -> Level.FINE;
            case INFO -> Level.INFO;
            case WARNING -> Level.WARNING;
            case ERROR, OFF -> Level.SEVERE;
        };
        synchronized (records) {
            return records.stream().filter(r -> r.getLevel().equals(julLevel) && text(r).contains(fragment)).count();
        }
    }

    /** The texts of the records at INFO or above. */
    public List<String> atInfoOrAbove() {
        synchronized (records) {
            return records.stream().filter(r -> r.getLevel().intValue() >= Level.INFO.intValue())
                    .map(r -> r.getLevel() + ": " + text(r)).toList();
        }
    }

    /** Waits until a record at this level contains the fragment. */
    public void await(System.Logger.Level level, String fragment, Duration timeout) throws InterruptedException {
        try {
            Processes.awaitTrue(() -> count(level, fragment) > 0, timeout);
        } catch (AssertionError e) {
            throw new AssertionError("nothing logged at " + level + " containing '" + fragment + "' within " + timeout);
        }
    }

    private static String text(LogRecord record) {
        Object[] parameters = record.getParameters();
        return parameters == null ? record.getMessage() : MessageFormat.format(record.getMessage(), parameters);
    }

    @Override
    public void close() {
        root.removeHandler(handler);
        root.setLevel(previous);
    }
}
