package dev.cerebrum.client;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The answer of {@code GET /v1/models}.
 *
 * @param availableModels registered models that are not broken
 * @param cachedModels    loaded models
 * @param inferenceCounts finished generations by model
 * @param models          details per model
 */
public record ModelList(List<String> availableModels, List<String> cachedModels, Map<String, Long> inferenceCounts,
                        List<ModelStatus> models) {

    public ModelList {
        availableModels = List.copyOf(availableModels);
        cachedModels = List.copyOf(cachedModels);
        inferenceCounts = Map.copyOf(inferenceCounts);
        models = List.copyOf(models);
    }

    /** The details of one model, if the server listed it. */
    public Optional<ModelStatus> model(String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
