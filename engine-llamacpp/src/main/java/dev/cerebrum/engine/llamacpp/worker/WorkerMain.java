package dev.cerebrum.engine.llamacpp.worker;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker process: it loads one model with the native binding and serves generations to the
 * engine over a Unix domain socket. Started by the engine only; never by a user.
 *
 * <p>It always ends with {@link Runtime#halt}: a JVM that has loaded a model never exits by itself
 * (<a href="https://github.com/kherud/java-llama.cpp/issues/116">java-llama.cpp#116</a>). It halts when
 * the socket reaches end of file (the kernel closes it when the engine dies, even by SIGKILL) and when
 * its parent process is gone.
 */
public final class WorkerMain {
    private static final String PREFIX = "[worker] ";

    private final DataInputStream in;
    private final DataOutputStream out;
    private final Map<Integer, Task> tasks = new ConcurrentHashMap<>();
    private LlamaModel model;

    private WorkerMain(SocketChannel channel) {
        this.in = new DataInputStream(new BufferedInputStream(Protocol.input(channel), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(Protocol.output(channel), 1 << 16));
    }

    /** Entry point: {@code WorkerMain <socket path>}. */
    public static void main(String[] args) {
        int status = 1;
        try {
            startWatchdog();
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            new WorkerMain(channel).serve();
            status = 0;
        } catch (IOException e) {
            // The engine closed the channel or died: nothing is left to serve.
            status = 0;
        } catch (Throwable t) {
            System.err.println(PREFIX + "fatal: " + t);
        } finally {
            Runtime.getRuntime().halt(status);
        }
    }

    /** Halts when the parent is gone, in case the socket's end of file is never seen. */
    private static void startWatchdog() {
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        Thread watchdog = new Thread(() -> {
            while (true) {
                if (parent == null || !parent.isAlive()) {
                    System.err.println(PREFIX + "parent process is gone; exiting");
                    Runtime.getRuntime().halt(3);
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
        synchronized (out) {
            out.writeByte(Protocol.HELLO);
            out.writeInt(Protocol.VERSION);
            out.writeLong(ProcessHandle.current().pid());
            out.flush();
        }
        if (in.readByte() != Protocol.LOAD) {
            throw new IOException("expected LOAD");
        }
        load();
        while (true) {
            byte type = in.readByte();
            switch (type) {
                case Protocol.GENERATE -> startGeneration();
                case Protocol.CANCEL -> {
                    Task task = tasks.get(in.readInt());
                    if (task != null) {
                        task.cancelRequested = true;
                    }
                }
                case Protocol.COUNT -> count();
                case Protocol.SHUTDOWN -> Runtime.getRuntime().halt(0);
                default -> throw new IOException("unknown message type " + type);
            }
        }
    }

    private void load() throws IOException {
        String path = in.readUTF();
        int contextSize = in.readInt();
        int threads = in.readInt();
        int batchThreads = in.readInt();
        int parallel = in.readInt();
        int batchSize = in.readInt();
        long seed = in.readLong();
        boolean nativeLog = in.readBoolean();
        if (!Files.isRegularFile(Path.of(path))) {
            loadError(Protocol.LOAD_INVALID_MODEL, "the model file is missing");
        }
        long start = System.nanoTime();
        ModelParameters parameters = new ModelParameters()
                .setModel(path)
                .setCtxSize(contextSize)
                .setThreads(threads)
                .setThreadsBatch(batchThreads)
                .setParallel(parallel)
                .setBatchSize(batchSize)
                .setSeed(seed)
                // A full slot ends the generation with "length" instead of silently dropping context.
                .disableContextShift()
                // The native warm-up decodes on the loading thread and creates a second OpenMP thread team,
                // which slows every later decode; warmUp() below decodes on the server thread instead.
                .skipWarmup();
        if (!nativeLog) {
            parameters.disableLog();
        }
        try {
            model = new LlamaModel(parameters);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            loadError(Protocol.LOAD_INVALID_MODEL, "llama.cpp could not load the model: " + NativeMessages.clean(e.getMessage()));
        }
        long loaded = System.nanoTime();
        warmUp();
        long warm = System.nanoTime();
        // On stdout on purpose: native code prints there too, and the protocol must not care.
        System.out.println(PREFIX + "model loaded in " + (loaded - start) / 1_000_000 + " ms, warm-up "
                + (warm - loaded) / 1_000_000 + " ms");
        System.out.flush();
        synchronized (out) {
            out.writeByte(Protocol.LOADED);
            out.writeLong((loaded - start) / 1_000_000);
            out.writeLong((warm - loaded) / 1_000_000);
            out.flush();
        }
    }

    private void loadError(byte kind, String message) throws IOException {
        synchronized (out) {
            out.writeByte(Protocol.LOAD_ERROR);
            out.writeByte(kind);
            out.writeUTF(message);
            out.flush();
        }
        Runtime.getRuntime().halt(2);
    }

    /** Pages the weights in and sets up the decoding thread's thread team with one tiny generation. */
    private void warmUp() {
        try {
            LlamaIterator iterator = model.generate(new InferenceParameters("a").setNPredict(1).setTemperature(0))
                    .iterator();
            while (iterator.hasNext()) {
                iterator.next();
            }
        } catch (RuntimeException e) {
            System.err.println(PREFIX + "warm-up failed: " + NativeMessages.clean(e.getMessage()));
        }
    }

    private void count() throws IOException {
        int requestId = in.readInt();
        String text = Protocol.readBytes(in);
        int tokens;
        String message = "";
        try {
            tokens = model.encode(text).length;
        } catch (RuntimeException e) {
            tokens = -1;
            message = NativeMessages.clean(e.getMessage());
        }
        synchronized (out) {
            out.writeByte(Protocol.COUNTED);
            out.writeInt(requestId);
            out.writeInt(tokens);
            out.writeUTF(message);
            out.flush();
        }
    }

    private void startGeneration() throws IOException {
        int id = in.readInt();
        String prompt = Protocol.readBytes(in);
        int nPredict = in.readInt();
        InferenceParameters parameters = new InferenceParameters(prompt)
                .setNPredict(nPredict)
                .setTemperature(in.readFloat())
                .setTopP(in.readFloat())
                .setTopK(in.readInt())
                .setMinP(in.readFloat())
                .setRepeatPenalty(in.readFloat());
        int stopCount = in.readInt();
        if (stopCount > 0) {
            String[] stop = new String[stopCount];
            for (int i = 0; i < stopCount; i++) {
                stop[i] = Protocol.readBytes(in);
            }
            parameters.setStopStrings(stop);
        }
        if (in.readBoolean()) {
            parameters.setSeed(in.readInt());
        }
        if (in.readBoolean()) {
            parameters.setGrammar(Protocol.readBytes(in));
        }
        parameters.setIgnoreEos(in.readBoolean());
        Task task = new Task(id, parameters);
        tasks.put(id, task);
        Thread thread = new Thread(task, "generation-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    private void send(int id, String text) {
        try {
            synchronized (out) {
                out.writeByte(Protocol.PIECE);
                out.writeInt(id);
                Protocol.writeBytes(out, text);
                out.flush();
            }
        } catch (IOException e) {
            // The engine is gone; the reading thread halts the process.
        }
    }

    private void end(int id, byte outcome, int outputs, int textTokens, boolean lastEmpty, String message) {
        tasks.remove(id);
        try {
            synchronized (out) {
                out.writeByte(Protocol.END);
                out.writeInt(id);
                out.writeByte(outcome);
                out.writeInt(outputs);
                out.writeInt(textTokens);
                out.writeBoolean(lastEmpty);
                out.writeUTF(message);
                out.flush();
            }
        } catch (IOException e) {
            // as in send()
        }
    }

    /** One generation, iterated by its own platform thread: the native cancel is safe only from it. */
    private final class Task implements Runnable {
        private final int id;
        private final InferenceParameters parameters;
        volatile boolean cancelRequested;

        Task(int id, InferenceParameters parameters) {
            this.id = id;
            this.parameters = parameters;
        }

        @Override
        public void run() {
            int outputs = 0;
            int counted = 0;
            boolean lastEmpty = false;
            LlamaIterator iterator = null;
            try {
                iterator = model.generate(parameters).iterator();
                while (iterator.hasNext()) {
                    if (cancelRequested) {
                        // Between next() calls on the iterating thread: the only place cancel() cannot hang.
                        iterator.cancel();
                        end(id, Protocol.OUTCOME_CANCELLED, outputs, counted, lastEmpty, "");
                        return;
                    }
                    LlamaOutput output = iterator.next();
                    if (!iterator.hasNext() && output.text.isEmpty()) {
                        // The final output only carries the stop flag (its text is empty in streaming mode).
                        break;
                    }
                    outputs++;
                    lastEmpty = output.text.isEmpty();
                    if (!lastEmpty) {
                        counted = outputs;
                    }
                    send(id, output.text);
                }
                iterator = null;
                end(id, Protocol.OUTCOME_COMPLETED, outputs, counted, lastEmpty, "");
            } catch (RuntimeException e) {
                iterator = null;
                String message = NativeMessages.clean(e.getMessage());
                // Without context shift the native side reports a full slot as this error.
                byte outcome = message.contains("context shift is disabled") ? Protocol.OUTCOME_CONTEXT_FULL
                        : Protocol.OUTCOME_FAILED;
                end(id, outcome, outputs, counted, lastEmpty, message);
            } catch (Error e) {
                // Out of memory or worse: this JVM is no longer trustworthy. The engine reports the exit.
                System.err.println(PREFIX + "fatal in generation " + id + ": " + e);
                Runtime.getRuntime().halt(4);
            } finally {
                if (iterator != null && iterator.hasNext()) {
                    iterator.cancel();
                }
            }
        }
    }
}
