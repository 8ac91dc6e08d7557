package dev.cerebrum.engine;

import java.util.List;
import java.util.Objects;

/**
 * A model whose architecture ({@code general.architecture} of its GGUF file) the engine asked to load it
 * cannot load, refused before anything is started. The message names the architecture, the engine and the
 * engines present that can load it.
 */
public class UnsupportedArchitectureException extends InvalidModelException {
    private final String architecture;
    private final String engine;
    private final List<String> supportingEngines;

    /**
     * A refusal.
     *
     * @param model             the model's registry name
     * @param architecture      its architecture
     * @param engine            the engine that cannot load it
     * @param engineVersion     what that engine runs ({@link InferenceEngine#version()})
     * @param supportingEngines the engines present that can load it, perhaps none
     */
    public UnsupportedArchitectureException(String model, String architecture, String engine, String engineVersion,
                                            List<String> supportingEngines) {
        super(message(model, architecture, engine, engineVersion, supportingEngines));
        this.architecture = Objects.requireNonNull(architecture, "architecture");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.supportingEngines = List.copyOf(supportingEngines);
    }

    /** The refusal of {@code spec}'s architecture by {@code engine}, naming the engines present that can load it. */
    public static UnsupportedArchitectureException of(ModelSpec spec, String architecture, InferenceEngine engine) {
        return new UnsupportedArchitectureException(spec.name(), architecture, engine.name(), engine.version(),
                InferenceEngines.supporting(architecture));
    }

    /** The architecture that was refused, for example {@code qwen3}. */
    public String architecture() {
        return architecture;
    }

    /** The engine that refused it. */
    public String engine() {
        return engine;
    }

    /** The engines present that can load the architecture; empty when none can. */
    public List<String> supportingEngines() {
        return supportingEngines;
    }

    private static String message(String model, String architecture, String engine, String engineVersion,
                                  List<String> supporting) {
        String refusal = "model '" + model + "': the " + engine + " engine (" + engineVersion
                + ") cannot load the model architecture '" + architecture + "'";
        List<String> others = supporting.stream().filter(e -> !e.equals(engine)).toList();
        if (others.isEmpty()) {
            return refusal + "; no engine of this server can";
        }
        return refusal + "; the " + String.join(" or ", others) + " engine can (engine: " + others.getFirst()
                + " in the model's registry entry)";
    }
}
