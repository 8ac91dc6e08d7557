package dev.cerebrum.engine.ffm;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Routes llama.cpp's and ggml's log ({@code llama_log_set}) to the {@link System.Logger} named
 * {@value #LOGGER_NAME}, one record per line, so nothing native reaches stdout or stderr. Levels: ERROR and
 * WARN keep theirs; INFO (dozens of lines per model load) becomes DEBUG and DEBUG becomes TRACE.
 *
 * <p>The upcall stub lives as long as the process (llama.cpp keeps the pointer), and the handler catches
 * everything: an exception escaping an upcall would end the JVM.
 */
final class NativeLog {

    /** The logger that receives native log lines. */
    static final String LOGGER_NAME = "cerebrum.llama";

    private static final System.Logger LOG = System.getLogger(LOGGER_NAME);
    private static final int GGML_LOG_LEVEL_DEBUG = 1;
    private static final int GGML_LOG_LEVEL_INFO = 2;
    private static final int GGML_LOG_LEVEL_WARN = 3;
    private static final int GGML_LOG_LEVEL_ERROR = 4;
    private static final int GGML_LOG_LEVEL_CONT = 5;

    /** Text without its newline yet, per native thread, with the level it started at. */
    private static final ThreadLocal<Pending> PENDING = ThreadLocal.withInitial(Pending::new);

    /** {@code void (*ggml_log_callback)(enum ggml_log_level level, const char * text, void * user_data)}. */
    private static final MemorySegment STUB = stub();

    private static final class Pending {
        final StringBuilder text = new StringBuilder();
        int level = GGML_LOG_LEVEL_INFO;
    }

    private NativeLog() {
    }

    /** Installs the callback; llama.cpp logs through it from now on (ggml shares it). */
    static void install(LlamaLibrary library) {
        library.logSet(STUB, MemorySegment.NULL);
    }

    private static MemorySegment stub() {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(NativeLog.class, "onLog",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            return LlamaLibrary.upcall(target, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unused") // called from native code through the upcall stub
    private static void onLog(int level, MemorySegment text, MemorySegment userData) {
        try {
            if (text.address() == 0) {
                return;
            }
            String piece = text.reinterpret(Long.MAX_VALUE).getString(0);
            Pending pending = PENDING.get();
            if (level != GGML_LOG_LEVEL_CONT && pending.text.isEmpty()) {
                pending.level = level;
            }
            pending.text.append(piece);
            int newline;
            while ((newline = pending.text.indexOf("\n")) >= 0) {
                String line = pending.text.substring(0, newline);
                pending.text.delete(0, newline + 1);
                if (!line.isBlank()) {
                    LOG.log(levelOf(pending.level), line.stripTrailing());
                }
            }
        } catch (Throwable t) {
            // Nothing may escape an upcall; losing a log line is the lesser harm.
        }
    }

    private static System.Logger.Level levelOf(int ggmlLevel) {
        return switch (ggmlLevel) {
            case GGML_LOG_LEVEL_ERROR -> System.Logger.Level.ERROR;
            case GGML_LOG_LEVEL_WARN -> System.Logger.Level.WARNING;
            case GGML_LOG_LEVEL_DEBUG -> System.Logger.Level.TRACE;
            default -> System.Logger.Level.DEBUG;
        };
    }
}
