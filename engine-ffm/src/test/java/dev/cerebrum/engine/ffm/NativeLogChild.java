package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.GenerationRequest;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Run by {@link NativeLogIT} in a child JVM: loads the natives and a model and generates, with logging that
 * writes nothing anywhere. Its exit status says whether the native log reached the logger; its stdout and
 * stderr must stay empty.
 */
public final class NativeLogChild {

    private NativeLogChild() {
    }

    public static void main(String[] args) {
        LogManager.getLogManager().reset();
        AtomicInteger lines = new AtomicInteger();
        Logger logger = Logger.getLogger(NativeLog.LOGGER_NAME);
        logger.setLevel(Level.ALL);
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.incrementAndGet();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        LlamaRuntime runtime = LlamaRuntime.load(Path.of(args[0]));
        try (GenerationCore core = GenerationCore.load(runtime,
                new CoreConfig(Path.of(args[1]), 2048, 2, 1, 1, 512, 512, 512, false, true, 0))) {
            Collector collector = new Collector();
            core.submit(GenerationRequest.builder("abc").greedy().maxTokens(8).grammar("root ::= (").build(), collector);
        } catch (RuntimeException expected) {
            // an invalid grammar: llama.cpp logs why
        }
        System.exit(lines.get() > 20 ? 0 : 3);
    }
}
