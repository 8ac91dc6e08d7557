package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.EngineFailureException;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The llama.cpp libraries, loaded once per process from the folder of the pinned natives. Loading opens
 * libllama and libggml, routes their log to the logger {@code cerebrum.llama}, checks the struct layouts
 * against the library (refusing a mismatch), loads the CPU backend variants of the folder
 * ({@code ggml_backend_load_all_from_path}; ggml picks the best for this CPU) and initialises the backend.
 */
public final class LlamaRuntime {

    private static final System.Logger LOG = System.getLogger(LlamaRuntime.class.getName());
    private static LlamaRuntime loaded;

    private final Path folder;
    private final LlamaLibrary library;

    private LlamaRuntime(Path folder, LlamaLibrary library) {
        this.folder = folder;
        this.library = library;
    }

    /**
     * Loads the natives in {@code folder}, or returns the runtime already loaded from it.
     *
     * @throws IncompatibleNativesException when the library is not the pinned one
     * @throws EngineFailureException       when the folder holds no loadable library or no CPU backend
     * @throws IllegalStateException        when natives from another folder are loaded already
     */
    public static synchronized LlamaRuntime load(Path folder) {
        Objects.requireNonNull(folder, "folder");
        Path real;
        try {
            real = folder.toRealPath();
        } catch (java.io.IOException e) {
            throw new EngineFailureException("the llama.cpp folder " + folder + " does not exist", e);
        }
        if (loaded != null) {
            if (!loaded.folder.equals(real)) {
                throw new IllegalStateException("llama.cpp is loaded from " + loaded.folder + " already, not " + real);
            }
            return loaded;
        }
        if (!Files.isDirectory(real)) {
            throw new EngineFailureException("the llama.cpp folder " + real + " is not a folder");
        }
        LlamaLibrary library = LlamaLibrary.open(real);
        NativeLog.install(library);
        LayoutCheck.verify(library);
        try (Arena arena = Arena.ofConfined()) {
            library.backendLoadAllFromPath(arena.allocateFrom(real.toString()));
        }
        if (library.backendDevCount() == 0) {
            throw new EngineFailureException("no llama.cpp CPU backend in " + real + " can run on this machine");
        }
        library.backendInit();
        loaded = new LlamaRuntime(real, library);
        LOG.log(System.Logger.Level.DEBUG, () -> "llama.cpp " + NativesPin.get().describe() + " from " + real + ": "
                + loaded.systemInfo());
        return loaded;
    }

    /** The folder the libraries were loaded from. */
    public Path folder() {
        return folder;
    }

    /** The pinned natives' version, for example {@code 3.22.1}. */
    public String nativesVersion() {
        return NativesPin.get().version();
    }

    /** What {@code llama_print_system_info()} says: the CPU features the chosen backend uses. */
    public String systemInfo() {
        return library.printSystemInfo().reinterpret(Long.MAX_VALUE).getString(0).strip();
    }

    LlamaLibrary library() {
        return library;
    }
}
