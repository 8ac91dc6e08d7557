package dev.cerebrum.engine;

import java.util.List;
import java.util.Objects;

/**
 * One completion to generate. Validated on construction; an invalid field throws
 * {@link InvalidRequestException} naming it.
 *
 * @param prompt        the raw prompt text (no chat template is applied)
 * @param maxTokens     most completion tokens to generate
 * @param temperature   0 means greedy
 * @param topP          nucleus sampling, 0 &lt; p &le; 1
 * @param topK          0 disables
 * @param minP          0 disables
 * @param repeatPenalty 1 disables
 * @param stop          stop strings; the matched one is not part of the text
 * @param seed          sampling seed, or null for the model's default
 * @param grammar       a GBNF grammar, or null
 * @param ignoreEos     keep generating past end of sequence (benchmarks)
 */
public record GenerationRequest(String prompt, int maxTokens, double temperature, double topP, int topK,
                                double minP, double repeatPenalty, List<String> stop, Long seed,
                                String grammar, boolean ignoreEos) {

    public static final int DEFAULT_MAX_TOKENS = 512;
    public static final double DEFAULT_TEMPERATURE = 0.2;
    public static final double DEFAULT_TOP_P = 0.95;
    public static final int DEFAULT_TOP_K = 40;
    public static final double DEFAULT_MIN_P = 0.05;
    public static final double DEFAULT_REPEAT_PENALTY = 1.1;
    /** More stop strings than this are refused. */
    public static final int MAX_STOP_STRINGS = 16;

    public GenerationRequest {
        if (prompt == null || prompt.isEmpty()) {
            throw new InvalidRequestException("prompt", "prompt must not be empty");
        }
        if (prompt.indexOf('\0') >= 0) {
            throw new InvalidRequestException("prompt", "prompt must not contain NUL characters");
        }
        if (maxTokens < 1) {
            throw new InvalidRequestException("max_tokens", "max_tokens must be at least 1");
        }
        if (!(temperature >= 0 && temperature <= 2)) {
            throw new InvalidRequestException("temperature", "temperature must be between 0 and 2");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new InvalidRequestException("top_p", "top_p must be greater than 0 and at most 1");
        }
        if (topK < 0) {
            throw new InvalidRequestException("top_k", "top_k must not be negative");
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new InvalidRequestException("min_p", "min_p must be between 0 and 1");
        }
        if (!(repeatPenalty > 0 && repeatPenalty <= 10)) {
            throw new InvalidRequestException("repeat_penalty", "repeat_penalty must be greater than 0 and at most 10");
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.size() > MAX_STOP_STRINGS) {
            throw new InvalidRequestException("stop", "at most " + MAX_STOP_STRINGS + " stop strings are allowed");
        }
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new InvalidRequestException("stop", "stop strings must not be empty");
            }
        }
        if (seed != null && (seed < 0 || seed > Integer.MAX_VALUE)) {
            throw new InvalidRequestException("seed", "seed must be between 0 and " + Integer.MAX_VALUE);
        }
        if (grammar != null && grammar.isBlank()) {
            grammar = null;
        }
    }

    /** A builder with the defaults of the original backend. */
    public static Builder builder(String prompt) {
        return new Builder(prompt);
    }

    /** Builds a {@link GenerationRequest}; every field but the prompt has a default. */
    public static final class Builder {
        private final String prompt;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private double temperature = DEFAULT_TEMPERATURE;
        private double topP = DEFAULT_TOP_P;
        private int topK = DEFAULT_TOP_K;
        private double minP = DEFAULT_MIN_P;
        private double repeatPenalty = DEFAULT_REPEAT_PENALTY;
        private List<String> stop = List.of();
        private Long seed;
        private String grammar;
        private boolean ignoreEos;

        private Builder(String prompt) {
            this.prompt = prompt;
        }

        public Builder maxTokens(int v) { this.maxTokens = v; return this; }
        public Builder temperature(double v) { this.temperature = v; return this; }
        public Builder topP(double v) { this.topP = v; return this; }
        public Builder topK(int v) { this.topK = v; return this; }
        public Builder minP(double v) { this.minP = v; return this; }
        public Builder repeatPenalty(double v) { this.repeatPenalty = v; return this; }
        public Builder stop(List<String> v) { this.stop = Objects.requireNonNullElse(v, List.of()); return this; }
        public Builder seed(Long v) { this.seed = v; return this; }
        public Builder grammar(String v) { this.grammar = v; return this; }
        public Builder ignoreEos(boolean v) { this.ignoreEos = v; return this; }

        /** A greedy request: temperature 0, no repeat penalty. Known-answer tests use it. */
        public Builder greedy() {
            this.temperature = 0;
            this.repeatPenalty = 1.0;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(prompt, maxTokens, temperature, topP, topK, minP, repeatPenalty,
                    stop, seed, grammar, ignoreEos);
        }
    }
}
