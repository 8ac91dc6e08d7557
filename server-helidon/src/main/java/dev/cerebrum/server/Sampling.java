package dev.cerebrum.server;

import dev.cerebrum.engine.GenerationRequest;

import java.util.List;

/**
 * The sampling fields every generation route reads the same way ({@code temperature}, {@code top_p},
 * {@code top_k}, {@code min_p}, {@code repeat_penalty}, {@code seed}, {@code stop}), with the defaults of the API
 * that reads them. The ranges are checked when the request is built ({@link GenerationRequest}).
 */
record Sampling(double temperature, double topP, int topK, double minP, double repeatPenalty, List<String> stop,
                Long seed) {

    /** What a field that is absent or null means. */
    record Defaults(double temperature, double topP, int topK, double minP, double repeatPenalty) {
    }

    /** The native API's defaults: the original backend's temperature 0.2 and llama.cpp's other values. */
    static final Defaults NATIVE = new Defaults(GenerationRequest.DEFAULT_TEMPERATURE, GenerationRequest.DEFAULT_TOP_P,
            GenerationRequest.DEFAULT_TOP_K, GenerationRequest.DEFAULT_MIN_P, GenerationRequest.DEFAULT_REPEAT_PENALTY);
    /** The OpenAI-compatible routes' defaults: llama-server's (temperature 0.8, no repeat penalty). */
    static final Defaults LLAMA_SERVER = new Defaults(0.8, 0.95, 40, 0.05, 1.0);

    /** Reads the fields; a value of the wrong type is a 400 naming the field. */
    static Sampling read(JsonFields f, Defaults defaults) {
        Double temperature = f.number("temperature");
        Double topP = f.number("top_p");
        Long topK = f.integer("top_k");
        Double minP = f.number("min_p");
        Double repeatPenalty = f.number("repeat_penalty");
        Long seed = f.integer("seed");
        List<String> stop = f.stop();
        if (topK != null && (topK < 0 || topK > Integer.MAX_VALUE)) {
            throw f.invalid("top_k", "top_k must not be negative");
        }
        if (seed != null && seed < 0) {
            // llama.cpp's convention: a negative seed means a random one.
            seed = null;
        }
        return new Sampling(temperature == null ? defaults.temperature() : temperature,
                topP == null ? defaults.topP() : topP,
                topK == null ? defaults.topK() : topK.intValue(),
                minP == null ? defaults.minP() : minP,
                repeatPenalty == null ? defaults.repeatPenalty() : repeatPenalty,
                stop, seed);
    }

    /**
     * The generation request with these values; throws {@code InvalidRequestException} naming a field out of
     * range.
     */
    GenerationRequest request(String prompt, int maxTokens, String grammar, boolean ignoreEos) {
        return new GenerationRequest(prompt, maxTokens, temperature, topP, topK, minP, repeatPenalty, stop, seed,
                grammar, ignoreEos);
    }
}
