package dev.cerebrum.engine.ffm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what reaches the logger {@code cerebrum.llama} (System.Logger's default backend is
 * java.util.logging), at every level, while open.
 */
final class NativeLogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger(NativeLog.LOGGER_NAME);
    private final Level previous = logger.getLevel();
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    NativeLogCapture() {
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** The messages captured so far. */
    List<String> lines() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
