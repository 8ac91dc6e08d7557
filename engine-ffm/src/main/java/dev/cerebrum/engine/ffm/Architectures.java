package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.InvalidModelException;
import dev.cerebrum.engine.worker.ArchitectureList;

import java.util.Objects;
import java.util.Set;

/**
 * The model architectures ({@code general.architecture} of a GGUF file) that this engine's pinned llama.cpp
 * can load, read from {@code llama-architectures.txt}: the list of {@code src/llama-arch.cpp} at the pinned
 * source, checked in with the pin. No native code is needed to ask, so a model can be refused before any
 * worker starts.
 */
public final class Architectures {

    private static final Set<String> SUPPORTED = ArchitectureList.read(
            Architectures.class.getResourceAsStream("llama-architectures.txt"), "llama-architectures.txt");

    private Architectures() {
    }

    /** True when the pinned llama.cpp knows {@code architecture}, for example {@code qwen3moe}. */
    public static boolean supports(String architecture) {
        return SUPPORTED.contains(Objects.requireNonNull(architecture, "architecture"));
    }

    /**
     * Refuses an architecture the pinned llama.cpp does not know.
     *
     * @throws InvalidModelException naming the architecture and the natives' version
     */
    public static void requireSupported(String architecture) {
        if (!supports(architecture)) {
            throw new InvalidModelException("the model architecture '" + architecture + "' is not one the llama.cpp of "
                    + "the ffm engine (" + NativesPin.get().describe() + ") can load");
        }
    }

    /** Every supported architecture, sorted. */
    public static Set<String> supported() {
        return SUPPORTED;
    }

    /** The version of the natives the list belongs to, for example {@code 3.22.1}. */
    public static String nativesVersion() {
        return NativesPin.get().version();
    }
}
