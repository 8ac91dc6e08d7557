package dev.cerebrum.engine.worker.child;

import dev.cerebrum.engine.worker.protocol.NativeMessages;
import dev.cerebrum.engine.worker.protocol.WorkerCodec;
import dev.cerebrum.engine.worker.protocol.WorkerMessage;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Cancel;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Count;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.CountFailed;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Counted;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.End;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Generate;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Hello;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Load;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.LoadError;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Loaded;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Log;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.LogLevel;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Outcome;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Piece;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Ping;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Pong;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Progress;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Shutdown;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The worker process's side of the protocol: it connects to the engine's socket, says hello, loads
 * the model with the engine's {@link WorkerBackend} and then serves its messages until the engine
 * goes away. An engine's worker main class calls {@link #run} and nothing else.
 *
 * <p>The process always ends with {@link Runtime#halt}: a JVM holding native state may never exit by
 * itself, and shutdown hooks have nothing to save. It halts
 * <ul>
 *   <li>when the socket reaches end of file: the kernel closes it when the engine dies, even by
 *       SIGKILL, so a worker never outlives its engine;</li>
 *   <li>when its parent process is gone, checked every half second, in case that end of file is
 *       never seen;</li>
 *   <li>on {@link Shutdown}, and after a failed load.</li>
 * </ul>
 * The handshake carries {@link WorkerCodec#VERSION} and the pid, so the engine refuses a worker of
 * another build and a stranger on its socket. Stdout is never a data channel: native code prints
 * there. The worker's own log lines travel over the socket instead ({@link WorkerLog}).
 */
public final class WorkerRuntime {
    /** Exit status after a failed load. */
    static final int STATUS_LOAD_FAILED = 2;
    /** Exit status when the parent process is gone. */
    static final int STATUS_ORPHANED = 3;

    private final WorkerCodec codec;
    private final WorkerBackend backend;
    private final WorkerLog log;

    private WorkerRuntime(WorkerCodec codec, WorkerBackend backend) {
        this.codec = codec;
        this.backend = backend;
        this.log = new SocketLog(codec);
    }

    /**
     * Serves the engine on the socket named by {@code args[0]} with this backend, and halts the JVM
     * when done. Never returns.
     */
    public static void run(String[] args, WorkerBackend backend) {
        int status = 1;
        WorkerRuntime runtime = null;
        try {
            startParentWatchdog();
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            runtime = new WorkerRuntime(WorkerCodec.over(channel), backend);
            runtime.serve();
            status = 0;
        } catch (IOException e) {
            // The engine closed the channel or died: nothing is left to serve.
            status = 0;
        } catch (Throwable t) {
            // Only the type at WARNING: a message could quote a request. The trace goes to stderr (DEBUG).
            if (runtime != null) {
                runtime.log.warning("fatal: " + t.getClass().getName());
            }
            System.err.println("worker fatal error:");
            t.printStackTrace();
            System.err.flush();
        } finally {
            Runtime.getRuntime().halt(status);
        }
    }

    /** Halts when the parent is gone, in case the socket's end of file is never seen. */
    private static void startParentWatchdog() {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        Thread watchdog = new Thread(() -> {
            while (true) {
                if (parent == null || !parent.isAlive()) {
                    System.err.println("the parent process is gone; exiting");
                    Runtime.getRuntime().halt(STATUS_ORPHANED);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private void serve() throws IOException {
        codec.write(new Hello(WorkerCodec.VERSION, ProcessHandle.current().pid()));
        if (!(codec.readToWorker() instanceof Load load)) {
            throw new IOException("expected the load message first");
        }
        load(load);
        // This thread only reads and answers at once: pings are answered here, never by a generation.
        while (true) {
            switch (codec.readToWorker()) {
                case Generate generate -> backend.start(generate, new Sink(generate.generationId()));
                case Cancel cancel -> backend.cancel(cancel.generationId());
                case Count count -> count(count);
                case Ping ping -> codec.write(new Pong(ping.sequence()));
                case Shutdown shutdown -> Runtime.getRuntime().halt(0);
                case Load again -> throw new IOException("the model is already loaded");
            }
        }
    }

    private void load(Load load) throws IOException {
        Loaded loaded;
        try {
            loaded = backend.load(load, log);
        } catch (WorkerLoadException e) {
            codec.write(new LoadError(e.kind(), NativeMessages.clean(e.getMessage())));
            Runtime.getRuntime().halt(STATUS_LOAD_FAILED);
            return;
        }
        log.info("model loaded in " + loaded.loadMillis() + " ms, warm-up " + loaded.warmupMillis() + " ms");
        codec.write(loaded);
    }

    private void count(Count count) throws IOException {
        WorkerMessage answer;
        try {
            answer = new Counted(count.requestId(), backend.countTokens(count.text()));
        } catch (RuntimeException e) {
            answer = new CountFailed(count.requestId(), NativeMessages.clean(e.getMessage()));
        }
        codec.write(answer);
    }

    /** Sends one generation's output; after its end, nothing. */
    private final class Sink implements GenerationSink {
        private final int id;
        private final AtomicBoolean ended = new AtomicBoolean();

        Sink(int id) {
            this.id = id;
        }

        @Override
        public void piece(String text, int completionTokens) {
            if (!ended.get()) {
                send(new Piece(id, text, completionTokens));
            }
        }

        @Override
        public void progress() {
            if (!ended.get()) {
                send(new Progress(id));
            }
        }

        @Override
        public void end(Outcome outcome, int completionTokens, String message, int cachedTokens) {
            if (ended.compareAndSet(false, true)) {
                send(new End(id, outcome, completionTokens, message, cachedTokens));
            }
        }

        private void send(WorkerMessage message) {
            try {
                codec.write(message);
            } catch (IOException e) {
                // The engine is gone; the reading thread sees end of file and halts.
            }
        }
    }

    /** Log lines as messages on the socket; stderr (DEBUG at the engine) if the socket is gone. */
    private record SocketLog(WorkerCodec codec) implements WorkerLog {
        @Override
        public void info(String line) {
            send(LogLevel.INFO, line);
        }

        @Override
        public void warning(String line) {
            send(LogLevel.WARNING, line);
        }

        private void send(LogLevel level, String line) {
            try {
                codec.write(new Log(level, line));
            } catch (IOException e) {
                System.err.println(line);
            }
        }
    }
}
