package dev.cerebrum.engine.worker;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What an engine's worker process runs: the JVM flags every worker gets (fast start, small heap, its
 * own temp folder, native access) come from {@link WorkerSupervisor}; these are the engine's parts.
 *
 * @param mainClass the worker's main class; its {@code main} calls
 *                  {@link dev.cerebrum.engine.worker.child.WorkerRuntime#run} with the engine's backend
 * @param classPath classes whose jar or folder the worker needs besides the main class's and this
 *                  module's (the native binding, for one); the worker's class path is exactly these
 * @param jvmFlags  the engine's own JVM flags for one worker, given that worker's private temp folder
 *                  (called on each start, so it can prepare a native library once and point at it)
 */
public record WorkerCommand(Class<?> mainClass, List<Class<?>> classPath, Function<Path, List<String>> jvmFlags) {
    public WorkerCommand {
        Objects.requireNonNull(mainClass, "mainClass");
        classPath = List.copyOf(classPath);
        Objects.requireNonNull(jvmFlags, "jvmFlags");
    }
}
