package dev.cerebrum.engine.worker;

import dev.cerebrum.engine.worker.child.WorkerRuntime;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ResolvedModule;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where a worker JVM finds its code, and the arguments that say so: a module path and {@code -m} when the
 * engine's main class is in a named module of this JVM, else a class path and the main class's name.
 *
 * @param path      the module path or class path
 * @param arguments the JVM arguments that run the worker's main class from it
 */
record WorkerCode(String path, List<String> arguments) {
    WorkerCode {
        arguments = List.copyOf(arguments);
    }

    /** The worker's code as this JVM runs the engine. */
    static WorkerCode of(WorkerCommand command) {
        Module module = command.mainClass().getModule();
        if (module.isNamed() && module.getLayer() != null) {
            Optional<String> modulePath = modulePath(module.getLayer().configuration(), module.getName());
            if (modulePath.isPresent()) {
                Set<String> nativeAccess = new LinkedHashSet<>();
                nativeAccess.add(module.getName());
                for (Class<?> extra : command.classPath()) {
                    if (extra.getModule().isNamed()) {
                        nativeAccess.add(extra.getModule().getName());
                    }
                }
                return new WorkerCode(modulePath.get(), List.of(
                        // Engines call System.load (or FFM); without this every worker prints a warning (JDK 22+).
                        "--enable-native-access=" + String.join(",", nativeAccess),
                        "-p", modulePath.get(),
                        "-m", module.getName() + "/" + command.mainClass().getName()));
            }
        }
        String classPath = classPath(command);
        return new WorkerCode(classPath, List.of("--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                command.mainClass().getName()));
    }

    /** Whether every entry of the path is a jar: the shared class archive only archives classes from jars. */
    boolean jarsOnly() {
        for (String entry : path.split(File.pathSeparator)) {
            if (!Files.isRegularFile(Path.of(entry))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The files of the module {@code root} and of every module it requires, transitively, as this JVM resolved
     * them; JDK modules need no path. Empty when a module has no file (one defined in memory, say).
     */
    static Optional<String> modulePath(Configuration configuration, String root) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> files = new ArrayList<>();
        Deque<String> pending = new ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (!seen.add(name)) {
                continue;
            }
            Optional<ResolvedModule> resolved = configuration.findModule(name);
            if (resolved.isEmpty()) {
                continue;
            }
            Optional<URI> location = resolved.get().reference().location();
            if (location.isEmpty()) {
                return Optional.empty();
            }
            if (location.get().getScheme().equals("jrt")) {
                continue;
            }
            if (!location.get().getScheme().equals("file")) {
                return Optional.empty();
            }
            files.add(Path.of(location.get()).toString());
            for (ModuleDescriptor.Requires requires : resolved.get().reference().descriptor().requires()) {
                // An automatic module requires nothing it declares; a static one is not needed at run time.
                if (!requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
                    pending.add(requires.name());
                }
            }
        }
        return Optional.of(String.join(File.pathSeparator, files));
    }

    /** The worker needs only its main class, this module and the engine's extras: their jars or folders. */
    private static String classPath(WorkerCommand command) {
        List<Class<?>> types = new ArrayList<>();
        types.add(command.mainClass());
        types.add(WorkerRuntime.class);
        types.addAll(command.classPath());
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> type : types) {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return System.getProperty("java.class.path");
            }
            try {
                entries.add(Path.of(source.getLocation().toURI()).toString());
            } catch (URISyntaxException | IllegalArgumentException e) {
                return System.getProperty("java.class.path");
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
