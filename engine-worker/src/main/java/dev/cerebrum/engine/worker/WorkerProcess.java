package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.worker.protocol.WorkerCodec;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Hello;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Log;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Shutdown;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One running worker: the child process, its socket and the threads that copy its stdout and
 * stderr into the log. The socket, not stdout, carries the protocol: native code prints to stdout.
 *
 * <p>Stdout and stderr are logged at DEBUG only: native code may print request content there (a
 * grammar it could not parse, for one). The worker's own lines come as {@link Log} messages; the
 * last of them are what a crash report repeats at WARNING.
 */
final class WorkerProcess {
    static final String SOCKET_NAME = "w.sock";
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 60_000;
    private static final int KEPT_LINES = 30;
    private static final long GRACE_MILLIS = 100;
    private static final long ARCHIVE_GRACE_MILLIS = 5_000;

    private final String modelName;
    private final Process process;
    private final Path dir;
    private final SocketChannel channel;
    private final WorkerCodec codec;
    private final long startupMillis;
    private final boolean writesArchive;
    private final System.Logger log;
    private final AtomicLong outputLines = new AtomicLong();
    private final ArrayDeque<String> ownLines = new ArrayDeque<>();

    private WorkerProcess(String modelName, Process process, Path dir, SocketChannel channel, long startupMillis,
                          boolean writesArchive) {
        this.modelName = modelName;
        this.process = process;
        this.dir = dir;
        this.channel = channel;
        this.codec = WorkerCodec.over(channel);
        this.startupMillis = startupMillis;
        this.writesArchive = writesArchive;
        this.log = System.getLogger("cerebrum.worker." + modelName);
    }

    /** Spawns the worker and waits until it has connected and said hello. */
    static WorkerProcess start(String modelName, List<String> command, Path dir, Path socketDir, boolean writesArchive) {
        Path socket = socketDir.resolve(SOCKET_NAME);
        long spawn = System.nanoTime();
        Process process = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            server.bind(UnixDomainSocketAddress.of(socket));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            List<String> full = new ArrayList<>(command);
            full.add(socket.toString());
            process = new ProcessBuilder(full).directory(dir.toFile()).start();
            process.getOutputStream().close();
            SocketChannel channel = accept(modelName, server, selector, process);
            WorkerProcess worker = new WorkerProcess(modelName, process, dir, channel,
                    (System.nanoTime() - spawn) / 1_000_000, writesArchive);
            worker.pump(process.getInputStream(), "stdout");
            worker.pump(process.getErrorStream(), "stderr");
            worker.handshake();
            return worker;
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            if (e instanceof EngineFailureException failure) {
                throw failure;
            }
            throw new EngineFailureException("could not start the model worker for '" + modelName + "'", e);
        } finally {
            deleteTree(socketDir);
        }
    }

    private static SocketChannel accept(String modelName, ServerSocketChannel server, Selector selector, Process process)
            throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANDSHAKE_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            selector.select(50);
            SocketChannel channel = server.accept();
            if (channel != null) {
                channel.configureBlocking(true);
                return channel;
            }
            if (!process.isAlive()) {
                throw new EngineFailureException("the model worker for '" + modelName + "' exited while starting ("
                        + describeExit(process.exitValue()) + ")");
            }
        }
        throw new EngineFailureException("the model worker for '" + modelName + "' did not start within "
                + HANDSHAKE_TIMEOUT_MILLIS / 1000 + " s");
    }

    private void handshake() throws IOException {
        Hello hello;
        try {
            hello = codec.readHello();
        } catch (IOException e) {
            throw new EngineFailureException("the model worker for '" + modelName + "' speaks another protocol", e);
        }
        if (hello.version() != WorkerCodec.VERSION) {
            throw new EngineFailureException("the model worker for '" + modelName + "' speaks protocol version "
                    + hello.version() + ", not " + WorkerCodec.VERSION);
        }
        if (hello.pid() != process.pid()) {
            throw new EngineFailureException("an unexpected process connected for model '" + modelName + "'");
        }
    }

    private void pump(InputStream stream, String name) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    outputLines.incrementAndGet();
                    log.log(System.Logger.Level.DEBUG, line);
                }
            } catch (IOException e) {
                // The stream closes when the process ends.
            }
        }, "cerebrum-worker-" + modelName + "-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Logs a line of the worker's own log; INFO and WARNING lines are kept for a crash report. */
    void log(Log line) {
        System.Logger.Level level = switch (line.level()) {
            case DEBUG -> System.Logger.Level.DEBUG;
            case INFO -> System.Logger.Level.INFO;
            case WARNING -> System.Logger.Level.WARNING;
        };
        log.log(level, "[worker] " + line.text());
        if (level != System.Logger.Level.DEBUG) {
            synchronized (ownLines) {
                if (ownLines.size() == KEPT_LINES) {
                    ownLines.removeFirst();
                }
                ownLines.addLast(line.text());
            }
        }
    }

    WorkerCodec codec() {
        return codec;
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    long startupMillis() {
        return startupMillis;
    }

    /** Lines the worker printed on stdout and stderr so far. */
    long outputLines() {
        return outputLines.get();
    }

    /**
     * The worker's last own log lines, for a crash report in the log (never in a client message);
     * empty, or a line break followed by the lines. Native output is not among them.
     */
    String lastOwnLines() {
        synchronized (ownLines) {
            if (ownLines.isEmpty()) {
                return "";
            }
            return "; its last log lines:" + System.lineSeparator() + String.join(System.lineSeparator(), ownLines);
        }
    }

    /** Resident memory of the worker from /proc, or -1 when unknown. */
    long residentBytes() {
        if (!process.isAlive()) {
            return -1;
        }
        return ProcStatus.residentBytes(process.pid());
    }

    /** A description of the exit status that names no path. */
    static String describeExit(int status) {
        if (status > 128 && status < 160) {
            return "killed by signal " + (status - 128);
        }
        return "exit code " + status;
    }

    /** Kills the process at once (SIGKILL); its socket then reaches end of file. */
    void kill() {
        process.destroyForcibly();
    }

    /**
     * Ends the process and removes its folder. It is asked to halt first, but a halting JVM with a
     * model spends a few hundred milliseconds in native teardown that frees nothing the kernel would
     * not free at once, so it gets only a short grace before SIGKILL, unless it writes the class archive.
     */
    void stop() {
        try {
            codec.write(new Shutdown());
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(writesArchive ? ARCHIVE_GRACE_MILLIS : GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
        deleteTree(dir);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
