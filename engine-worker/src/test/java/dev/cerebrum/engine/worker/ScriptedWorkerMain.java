package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.worker.child.GenerationSink;
import dev.cerebrum.engine.worker.child.StopStrings;
import dev.cerebrum.engine.worker.child.WorkerBackend;
import dev.cerebrum.engine.worker.child.WorkerLoadException;
import dev.cerebrum.engine.worker.child.WorkerLog;
import dev.cerebrum.engine.worker.child.WorkerRuntime;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Generate;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Load;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.LoadErrorKind;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Loaded;
import dev.cerebrum.engine.worker.protocol.WorkerMessage.Outcome;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker whose backend follows a script in the prompt, for testing the worker machinery in a real
 * child process without a model: {@code echo:TEXT} streams TEXT one character per token;
 * {@code slow:MILLIS:TEXT} first stays silent for MILLIS (a long prompt); {@code chunked:MILLIS:TEXT} first
 * reports progress every 100 ms for MILLIS (a long prompt in chunks); {@code hang} never produces
 * anything; {@code exit} halts the worker. A grammar is printed to stdout first, as llama.cpp prints a
 * grammar it cannot parse. A model path containing "invalid" fails to load.
 */
public final class ScriptedWorkerMain {
    private ScriptedWorkerMain() {
    }

    public static void main(String[] args) {
        WorkerRuntime.run(args, new Backend());
    }

    private static final class Backend implements WorkerBackend {
        private final Map<Integer, Boolean> cancelled = new ConcurrentHashMap<>();
        /** Token counts asked for; the prompt {@code counts} answers with it. */
        private final AtomicInteger counts = new AtomicInteger();

        @Override
        public Loaded load(Load load, WorkerLog log) throws WorkerLoadException {
            System.out.println("native chatter while loading " + load.modelPath());
            if (load.modelPath().contains("invalid")) {
                throw new WorkerLoadException(LoadErrorKind.INVALID_MODEL, "not a model: " + load.modelPath());
            }
            log.info("scripted backend ready, option mode=" + load.options().get("mode"));
            return new Loaded(1, 2);
        }

        @Override
        public void start(Generate generate, GenerationSink sink) {
            if (generate.grammar() != null) {
                System.out.println("parse: error parsing grammar");
                System.out.println(generate.grammar());
                System.out.flush();
            }
            cancelled.put(generate.generationId(), false);
            Thread thread = new Thread(() -> run(generate, sink), "scripted-" + generate.generationId());
            thread.setDaemon(true);
            thread.start();
        }

        private void run(Generate generate, GenerationSink sink) {
            String prompt = generate.prompt();
            String text;
            try {
                if (prompt.equals("hang")) {
                    Thread.sleep(Long.MAX_VALUE);
                    return;
                }
                if (prompt.equals("exit")) {
                    Runtime.getRuntime().halt(7);
                }
                if (prompt.startsWith("slow:") || prompt.startsWith("chunked:")) {
                    String[] parts = prompt.split(":", 3);
                    long until = System.nanoTime() + Long.parseLong(parts[1]) * 1_000_000;
                    while (System.nanoTime() < until) {
                        Thread.sleep(Math.max(1, Math.min(100, (until - System.nanoTime()) / 1_000_000)));
                        if (prompt.startsWith("chunked:")) {
                            sink.progress();
                        }
                    }
                    text = parts[2];
                } else if (prompt.equals("counts")) {
                    text = String.valueOf(counts.get());
                } else {
                    text = prompt.substring(prompt.indexOf(':') + 1);
                }
                StopStrings stops = new StopStrings(generate.stop());
                int tokens = 0;
                for (int i = 0; i < text.length() && tokens < generate.maxTokens(); i++) {
                    if (cancelled.get(generate.generationId())) {
                        sink.end(Outcome.CANCELLED, tokens, "");
                        return;
                    }
                    String piece = stops.accept(text.substring(i, i + 1));
                    tokens++;
                    sink.piece(piece, tokens);
                    if (stops.matched()) {
                        sink.end(Outcome.STOP, tokens - 1, "");
                        return;
                    }
                    Thread.sleep(generate.ignoreEos() ? 50 : 1);
                }
                sink.end(tokens == generate.maxTokens() ? Outcome.LENGTH : Outcome.STOP, tokens, "");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void cancel(int generationId) {
            cancelled.put(generationId, true);
        }

        @Override
        public int countTokens(String text) {
            counts.incrementAndGet();
            if (text.contains("untokenizable")) {
                throw new IllegalStateException("{\"code\":400,\"message\":\"cannot tokenize /secret/path\"}");
            }
            return text.length();
        }
    }
}
