package dev.cerebrum.server;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Logging through java.util.logging: one line per record, to the console and to a rotating
 * {@code backend.log}. Nothing logged by the server contains a key or a request body.
 */
final class ServerLogging implements AutoCloseable {
    static final String FILE_NAME = "backend.log";
    private static final int FILE_LIMIT_BYTES = 10 * 1024 * 1024;
    private static final int FILE_COUNT = 5;

    private final RotatingFileHandler file;

    private ServerLogging(RotatingFileHandler file) {
        this.file = file;
    }

    /** Adds the rotating file handler to the root logger. */
    static ServerLogging install(Path logDir) {
        try {
            Files.createDirectories(logDir);
            RotatingFileHandler handler = new RotatingFileHandler(logDir.resolve(FILE_NAME), FILE_LIMIT_BYTES,
                    FILE_COUNT);
            handler.setFormatter(new LineFormatter());
            handler.setLevel(Level.INFO);
            Logger.getLogger("").addHandler(handler);
            return new ServerLogging(handler);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log file in " + logDir.getFileName(), e);
        }
    }

    /** One-line console output for the foreground command. */
    static void configureConsole() {
        Logger root = Logger.getLogger("");
        boolean found = false;
        for (Handler h : root.getHandlers()) {
            if (h instanceof ConsoleHandler) {
                h.setFormatter(new LineFormatter());
                found = true;
            }
        }
        if (!found) {
            ConsoleHandler console = new ConsoleHandler();
            console.setFormatter(new LineFormatter());
            root.addHandler(console);
        }
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(file);
        file.close();
    }

    /**
     * Appends to {@code backend.log} and, past the size limit, shifts it to {@code backend.log.1} (and older
     * files one further), as logrotate would. JUL's FileHandler cannot keep the current file's plain name.
     */
    static final class RotatingFileHandler extends Handler {
        private final Path file;
        private final long limit;
        private final int count;
        private OutputStream out;
        private long size;

        RotatingFileHandler(Path file, long limit, int count) throws IOException {
            this.file = file;
            this.limit = limit;
            this.count = count;
            open();
        }

        private void open() throws IOException {
            out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE));
            size = Files.size(file);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            if (out == null || !isLoggable(record)) {
                return;
            }
            try {
                byte[] line = getFormatter().format(record).getBytes(StandardCharsets.UTF_8);
                if (size > 0 && size + line.length > limit) {
                    rotate();
                }
                out.write(line);
                out.flush();
                size += line.length;
            } catch (IOException | RuntimeException e) {
                reportError("cannot write the log file", e instanceof Exception ex ? ex : null, ErrorManager.WRITE_FAILURE);
            }
        }

        private void rotate() throws IOException {
            out.close();
            for (int i = count - 1; i >= 1; i--) {
                Path from = i == 1 ? file : sibling(i - 1);
                if (Files.exists(from)) {
                    Files.move(from, sibling(i), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            open();
        }

        private Path sibling(int generation) {
            return file.resolveSibling(file.getFileName() + "." + generation);
        }

        @Override
        public synchronized void flush() {
            try {
                if (out != null) {
                    out.flush();
                }
            } catch (IOException e) {
                reportError("cannot flush the log file", e, ErrorManager.FLUSH_FAILURE);
            }
        }

        @Override
        public synchronized void close() {
            try {
                if (out != null) {
                    out.close();
                }
            } catch (IOException e) {
                reportError("cannot close the log file", e, ErrorManager.CLOSE_FAILURE);
            } finally {
                out = null;
            }
        }
    }

    /** {@code 2026-11-25T17:00:00.123Z INFO  logger: message}, plus the stack trace when there is one. */
    static final class LineFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(160);
            b.append(Instant.ofEpochMilli(r.getMillis()).truncatedTo(ChronoUnit.MILLIS)).append(' ');
            String level = r.getLevel().getName();
            b.append(level).append(" ".repeat(Math.max(1, 8 - level.length())));
            b.append(shortName(r.getLoggerName())).append(": ").append(formatMessage(r)).append(System.lineSeparator());
            if (r.getThrown() != null) {
                StringWriter sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                b.append(sw);
            }
            return b.toString();
        }

        private static String shortName(String name) {
            if (name == null) {
                return "-";
            }
            return name.startsWith("dev.cerebrum.") ? name.substring("dev.cerebrum.".length()) : name;
        }
    }
}
