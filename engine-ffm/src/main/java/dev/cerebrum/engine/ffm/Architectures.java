package dev.cerebrum.engine.ffm;

import dev.cerebrum.engine.InvalidModelException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The model architectures ({@code general.architecture} of a GGUF file) that this engine's pinned llama.cpp
 * can load, read from {@code llama-architectures.txt}: the list of {@code src/llama-arch.cpp} at the pinned
 * source, checked in with the pin. No native code is needed to ask, so a model can be refused before any
 * worker starts.
 */
public final class Architectures {

    private static final Set<String> SUPPORTED = load();

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

    private static Set<String> load() {
        Set<String> names = new TreeSet<>();
        try (InputStream in = Architectures.class.getResourceAsStream("llama-architectures.txt")) {
            if (in == null) {
                throw new IllegalStateException("llama-architectures.txt is missing from the engine's jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableSet(names);
    }
}
