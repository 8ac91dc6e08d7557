package dev.cerebrum.engine.llamacpp;

import dev.cerebrum.engine.EngineFailureException;
import dev.cerebrum.engine.llamacpp.worker.Protocol;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One running worker: the child process, its socket and the threads that copy its stdout and
 * stderr into the log. The socket, not stdout, carries the protocol: native code prints to stdout.
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
    private final DataInputStream in;
    private final DataOutputStream out;
    private final long startupMillis;
    private final boolean writesArchive;
    private final AtomicLong outputLines = new AtomicLong();
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();

    private WorkerProcess(String modelName, Process process, Path dir, SocketChannel channel, long startupMillis,
                          boolean writesArchive) {
        this.writesArchive = writesArchive;
        this.modelName = modelName;
        this.process = process;
        this.dir = dir;
        this.channel = channel;
        this.in = new DataInputStream(new BufferedInputStream(Protocol.input(channel), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(Protocol.output(channel), 1 << 16));
        this.startupMillis = startupMillis;
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
            List<String> full = new java.util.ArrayList<>(command);
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
        if (in.readByte() != Protocol.HELLO || in.readInt() != Protocol.VERSION) {
            throw new EngineFailureException("the model worker for '" + modelName + "' speaks another protocol");
        }
        long pid = in.readLong();
        if (pid != process.pid()) {
            throw new EngineFailureException("an unexpected process connected for model '" + modelName + "'");
        }
    }

    private void pump(InputStream stream, String name) {
        System.Logger log = System.getLogger("cerebrum.worker." + modelName);
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    outputLines.incrementAndGet();
                    synchronized (lastLines) {
                        if (lastLines.size() == KEPT_LINES) {
                            lastLines.removeFirst();
                        }
                        lastLines.addLast(line);
                    }
                    // The worker's own lines are worth seeing; llama.cpp's chatter is not.
                    System.Logger.Level level = line.startsWith("[worker] ") ? System.Logger.Level.INFO
                            : System.Logger.Level.DEBUG;
                    log.log(level, line);
                }
            } catch (IOException e) {
                // The stream closes when the process ends.
            }
        }, "cerebrum-worker-" + modelName + "-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    DataInputStream in() {
        return in;
    }

    DataOutputStream out() {
        return out;
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

    /** The last lines the worker printed, for diagnosing a crash in the log (never in a client message). */
    String lastLines() {
        synchronized (lastLines) {
            return String.join(System.lineSeparator(), lastLines);
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

    /**
     * Ends the process and removes its folder. It is asked to halt first, but a halting JVM with a
     * model spends a few hundred milliseconds in native teardown that frees nothing the kernel would
     * not free at once, so it gets only a short grace before SIGKILL, unless it writes the class archive.
     */
    void stop() {
        try {
            synchronized (out) {
                out.writeByte(Protocol.SHUTDOWN);
                out.flush();
            }
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
