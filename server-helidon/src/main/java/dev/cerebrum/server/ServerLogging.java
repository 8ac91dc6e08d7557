package dev.cerebrum.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's log file: Logback's rotating {@code backend.log}, added to the root logger while a server runs,
 * with the console's line pattern ({@code logback.xml}). Everything reaches Logback through SLF4J: Helidon and
 * this server log through {@link System.Logger} (routed by slf4j-jdk-platform-logging), OSHI through SLF4J,
 * anything on java.util.logging through its bridge. Logback registers no shutdown hook of its own, so the lines
 * of a graceful stop after SIGTERM reach the file until {@link #close()}. Nothing logged contains a key or a
 * request body.
 */
final class ServerLogging implements AutoCloseable {
    static final String FILE_NAME = "backend.log";
    static final String FILE_LIMIT = "10MB";
    /** The current file and four older ones. */
    static final int FILE_COUNT = 5;
    private static final String PATTERN_PROPERTY = "CEREBRUM_LOG_PATTERN";
    private static final String FALLBACK_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-7level %logger: %msg%n";

    private final Logger root;
    private final RollingFileAppender<ILoggingEvent> file;

    private ServerLogging(Logger root, RollingFileAppender<ILoggingEvent> file) {
        this.root = root;
        this.file = file;
    }

    /** Routes java.util.logging to SLF4J, for the libraries that log there; once per process. */
    static synchronized void bridgeJavaUtilLogging() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** Adds the rotating {@code backend.log} in {@code logDir} to the root logger. */
    static ServerLogging install(Path logDir) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            throw new IllegalStateException("logging is not Logback: cannot write " + FILE_NAME);
        }
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the log directory " + logDir.getFileName(), e);
        }
        String name = logDir.resolve(FILE_NAME).toAbsolutePath().toString();

        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName(FILE_NAME + "@" + logDir.toAbsolutePath());
        appender.setFile(name);
        appender.setAppend(true);

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(name + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(FILE_COUNT - 1);
        appender.setRollingPolicy(rolling);

        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(FileSize.valueOf(FILE_LIMIT));
        appender.setTriggeringPolicy(trigger);

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        String pattern = context.getProperty(PATTERN_PROPERTY);
        encoder.setPattern(pattern != null ? pattern : FALLBACK_PATTERN);
        appender.setEncoder(encoder);

        encoder.start();
        rolling.start();
        trigger.start();
        appender.start();
        if (!appender.isStarted()) {
            throw new UncheckedIOException(new IOException("cannot open the log file in " + logDir.getFileName()));
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        return new ServerLogging(root, appender);
    }

    /** Detaches and closes the file; the console keeps logging. */
    @Override
    public void close() {
        root.detachAppender(file);
        file.stop();
    }
}
