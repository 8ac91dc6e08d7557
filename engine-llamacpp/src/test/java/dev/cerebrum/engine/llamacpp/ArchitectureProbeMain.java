package dev.cerebrum.engine.llamacpp;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import dev.cerebrum.gguf.GgufValue;
import dev.cerebrum.gguf.GgufWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Asks the binding's llama.cpp which architectures it knows: for each name (one per line in the file
 * {@code args[0]}) it loads a GGUF file holding only {@code general.architecture = NAME} and prints a marker
 * line {@code ### NAME} before llama.cpp's own log of the attempt, which says "unknown model architecture" for a
 * name it does not know. Run in a child process: a JVM that has loaded the binding never exits by itself.
 */
public final class ArchitectureProbeMain {
    private ArchitectureProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> names = Files.readAllLines(Path.of(args[0]));
        Path file = Path.of(args[1]);
        for (String name : names) {
            new GgufWriter().put("general.architecture", GgufValue.string(name)).write(file);
            System.out.println("### " + name);
            System.out.flush();
            try {
                new LlamaModel(new ModelParameters().setModel(file.toString()));
                System.out.println("### loaded");
            } catch (RuntimeException e) {
                // expected: the file has no hyper-parameters and no tensors
            }
            System.out.flush();
        }
        Runtime.getRuntime().halt(0);
    }
}
