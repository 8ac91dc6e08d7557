package dev.cerebrum.engine.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads an engine's list of the model architectures its llama.cpp can load: a resource with one name per line,
 * {@code #} starting a comment. Each engine checks its list in beside the version it describes.
 */
public final class ArchitectureList {
    private ArchitectureList() {
    }

    /**
     * The names in the resource {@code name}, sorted. The engine's own module opens the resource
     * ({@code Owner.class.getResourceAsStream(name)}): a named module's resources are not visible from this one.
     *
     * @param resource the resource, or null when it is missing
     * @param name     its name, for messages
     * @throws IllegalStateException when the resource is missing
     */
    public static Set<String> read(InputStream resource, String name) {
        Set<String> names = new TreeSet<>();
        if (resource == null) {
            throw new IllegalStateException(name + " is missing from the engine's jar");
        }
        try (InputStream in = resource) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                String entry = line.strip();
                if (!entry.isEmpty() && !entry.startsWith("#")) {
                    names.add(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
        return Collections.unmodifiableSet(names);
    }
}
